"""``mysql-chaos toxiproxy-server``: run the embedded Toxiproxy-compatible server.

The command lives with the server it runs, below the CLI: ``python -m chaos.toxiproxy`` runs it
without loading the rest of the CLI, and the CLI adds it to its group.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from chaos.errors import UsageError
from chaos.toxiproxy.server import serve


def _read_secret() -> str:
    """The first line of stdin: a pipe from the owner, never a command line (which every local
    user can read in /proc)."""
    secret = sys.stdin.readline().strip()
    if not secret:
        raise UsageError("--api-secret-stdin: no secret on the first line of standard input")
    return secret


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
@click.option(
    "--allow-any-listen",
    is_flag=True,
    help="Let proxies listen outside loopback and on privileged ports (below 1024); "
    "without it such a proxy is refused with 403.",
)
@click.option(
    "--api-secret-stdin",
    is_flag=True,
    help="Read a secret from the first line of standard input; every API request must then "
    "carry it as the password of HTTP Basic auth (http://USER:SECRET@HOST:PORT).",
)
def toxiproxy_server(
    host: str,
    port: int,
    config: Path | None,
    proxy_metrics: bool,
    runtime_metrics: bool,
    allow_any_listen: bool,
    api_secret_stdin: bool,
) -> None:
    """Serve Toxiproxy 2.x's HTTP API and toxics until Ctrl-C or SIGTERM.

    Like Toxiproxy's, the API has no authentication unless --api-secret-stdin is given: keep it
    on loopback. Proxies listen only on loopback, above port 1023, unless --allow-any-listen.
    """
    serve(
        host,
        port,
        config,
        on_ready=lambda url: click.echo(f"toxiproxy-server listening on {url}"),
        proxy_metrics=proxy_metrics,
        runtime_metrics=runtime_metrics,
        secret=_read_secret() if api_secret_stdin else None,
        allow_any_listen=allow_any_listen,
    )
