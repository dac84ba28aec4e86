"""``mysql-chaos up`` / ``down``: a disposable server with the embedded Toxiproxy in front of it.

``up`` runs in the foreground until Ctrl-C or SIGTERM and then stops everything it started. It
records itself in a private runtime directory under its name (``--name``, default ``default``;
several run side by side), so ``down NAME`` (from another terminal, a script, CI) can stop that
one by sending that SIGTERM; ``down`` alone stops the ``default`` one. ``down`` signals only a
process that proves it is that ``up`` (:mod:`chaos.cli.up_state` says how), never one another
user named in a planted file.
"""

from __future__ import annotations

import os
import signal
from types import FrameType

import click

from chaos.cli.up_state import (
    DEFAULT_NAME,
    record_name,
    remove_record,
    running_names,
    running_up,
    stop_up,
    write_record,
)
from chaos.cli.up_state import start_time as _start_time
from chaos.errors import UsageError

_STOP_WAIT = 30.0


class _Stop(Exception):
    """SIGTERM arrived: unwind through every ``finally`` and stop."""


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise _Stop()


@click.command()
@click.option(
    "--api-port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="Port of the Toxiproxy API (0 picks a free one; the URL is printed).",
)
@click.option(
    "--binary", metavar="PATH", default=None, help="mariadbd/mysqld to run (default: PATH)."
)
@click.option(
    "--server",
    type=click.Choice(["local", "mysql"]),
    default="local",
    show_default=True,
    help="local (--binary or mariadbd on PATH) or mysql (Oracle MySQL from the root filesystem "
    "`mysql-chaos server install mysql` makes).",
)
@click.option(
    "--name",
    default=DEFAULT_NAME,
    show_default=True,
    metavar="NAME",
    help="Run beside other ups under this name (a-z, 0-9, '-'); `down NAME` stops it.",
)
def up(api_port: int, binary: str | None, server: str, name: str) -> None:
    """Start a disposable server and the embedded Toxiproxy; run until Ctrl-C or SIGTERM.

    Prints where to connect: the server directly, through the proxy, and the Toxiproxy API (add
    toxics there, e.g. with toxiproxy-cli or the toxiproxy-python client). `mysql-chaos down
    [NAME]` stops it from elsewhere.
    """
    from chaos.servers.local import LocalServer
    from chaos.toxiproxy.embedded import EmbeddedToxiproxy

    if server == "mysql":
        if binary:
            raise UsageError("--binary and --server mysql exclude each other")
        binary = server
    record_name(name)  # a malformed name: one line, before anything starts
    running = running_up(name)
    if running is not None:
        raise UsageError(f"mysql-chaos up {name!r} is already running (pid {running.pid})")
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    record_fd: int | None = None
    try:
        with (
            LocalServer(binary=binary, name="mysql-chaos-up") as server,
            EmbeddedToxiproxy(port=api_port, mode="thread") as toxiproxy,
        ):
            direct = server.settings
            proxy = toxiproxy.client().create_proxy(
                "mysql", upstream=f"{direct.host}:{direct.port}", listen="127.0.0.1:0"
            )
            # These are the disposable server's own credentials: printing them is the point.
            proxied = f"mysql://{direct.user}:{direct.password}@{proxy.listen}/{direct.database}"
            record_fd = write_record(
                {"pid": os.getpid(), "start_time": _start_time(os.getpid()), "api": toxiproxy.url},
                name,
            )
            click.echo(f"server (direct):     {direct.url('mysql')}")
            click.echo(f"server (via proxy):  {proxied}")
            # With its secret: the API refuses requests without it, and this user is its owner.
            click.echo(f"toxiproxy API:       {toxiproxy.url}  (proxy name: mysql)")
            stop = "mysql-chaos down" + ("" if name == DEFAULT_NAME else f" {name}")
            click.echo(f"running as pid {os.getpid()} (up {name}); stop with Ctrl-C or `{stop}`")
            while True:
                signal.pause()
    except (KeyboardInterrupt, _Stop):
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        if record_fd is not None:
            remove_record(record_fd, name)
    click.echo("stopped")


@click.command()
@click.argument("name", default=DEFAULT_NAME, metavar="[NAME]")
def down(name: str) -> None:
    """Stop the server and proxy of the running `mysql-chaos up` called NAME (default: the one
    started without --name), by its recorded pid. Other ups keep running."""
    record_name(name)  # a malformed name: one line
    record = running_up(name)
    if record is None or not stop_up(record, _STOP_WAIT):
        others = [other for other in running_names() if other != name]
        running = f" (running: {', '.join(others)})" if others else ""
        click.echo(f"no mysql-chaos up {name!r} is running{running}")
        return
    click.echo(f"stopped mysql-chaos up {name!r} (pid {record.pid})")
