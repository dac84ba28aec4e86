"""``mysql-chaos toxiproxy-server``: run the embedded Toxiproxy-compatible server.

The command lives with the server it runs, below the CLI: ``python -m chaos.toxiproxy`` runs it
without loading the rest of the CLI, and the CLI adds it to its group.
"""

from __future__ import annotations

from pathlib import Path

import click

from chaos.toxiproxy.server import serve


@click.command("toxiproxy-server")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address the API binds.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8474,
    show_default=True,
    help="API port; 0 picks a free one (the URL is printed).",
)
@click.option(
    "--config",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="JSON list of proxies to create at start, like Toxiproxy's -config.",
)
@click.option(
    "--proxy-metrics",
    is_flag=True,
    help="Serve per-proxy byte counters on /metrics, like Toxiproxy's -proxy-metrics.",
)
@click.option(
    "--runtime-metrics",
    is_flag=True,
    help="Serve process metrics on /metrics, like Toxiproxy's -runtime-metrics.",
)
def toxiproxy_server(
    host: str, port: int, config: Path | None, proxy_metrics: bool, runtime_metrics: bool
) -> None:
    """Serve Toxiproxy 2.x's HTTP API and toxics until Ctrl-C or SIGTERM.

    The API has no authentication: keep it on loopback.
    """
    serve(
        host,
        port,
        config,
        on_ready=lambda url: click.echo(f"toxiproxy-server listening on {url}"),
        proxy_metrics=proxy_metrics,
        runtime_metrics=runtime_metrics,
    )
