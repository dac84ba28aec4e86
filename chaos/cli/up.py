"""``mysql-chaos up`` / ``down``: a disposable server with the embedded Toxiproxy in front of it.

``up`` runs in the foreground until Ctrl-C or SIGTERM and then stops everything it started. It
records itself in a pid file in the user's runtime directory, so ``down`` (from another
terminal, a script, CI) can stop it by sending that SIGTERM. The pid file also holds the
process's start time: a pid reused by an unrelated process after a crash is never signalled.
"""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from types import FrameType

import click

from chaos.errors import ChaosError, UsageError

_STOP_WAIT = 30.0


def runtime_dir() -> Path:
    """Where ``up`` records itself: ``$XDG_RUNTIME_DIR/mysql-chaos`` or a private /tmp dir."""
    base = os.environ.get("XDG_RUNTIME_DIR")
    if base and os.path.isdir(base):
        return Path(base) / "mysql-chaos"
    return Path(f"/tmp/mysql-chaos-{os.getuid()}")


def pid_file() -> Path:
    return runtime_dir() / "up.json"


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks (field 22 of /proc/PID/stat), None if gone.

    A zombie counts as gone: it has exited, only its parent has not reaped it yet.
    """
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    if len(fields) < 20 or fields[0] == "Z":
        return None
    return fields[19]


def _recorded_up() -> dict[str, object] | None:
    """The running ``up`` recorded in the pid file; a stale record is removed."""
    path = pid_file()
    try:
        record = json.loads(path.read_text())
        pid = int(record["pid"])
        started = str(record["start_time"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        path.unlink(missing_ok=True)
        return None
    if _start_time(pid) != started:
        path.unlink(missing_ok=True)
        return None
    return record


def _write_record(record: dict[str, object]) -> Path:
    directory = runtime_dir()
    try:
        directory.mkdir(mode=0o700, exist_ok=True)
        if directory.stat().st_uid != os.getuid():
            raise UsageError(f"{directory} belongs to another user")
        path = pid_file()
        path.write_text(json.dumps(record))
    except OSError as e:
        raise UsageError(f"cannot record mysql-chaos up in {directory}: {e.strerror or e}") from e
    return path


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
def up(api_port: int, binary: str | None, server: str) -> None:
    """Start a disposable server and the embedded Toxiproxy; run until Ctrl-C or SIGTERM.

    Prints where to connect: the server directly, through the proxy, and the Toxiproxy API (add
    toxics there, e.g. with toxiproxy-cli or the toxiproxy-python client). `mysql-chaos down`
    stops it from elsewhere.
    """
    from chaos.servers.local import LocalServer
    from chaos.toxiproxy.embedded import EmbeddedToxiproxy

    if server == "mysql":
        if binary:
            raise UsageError("--binary and --server mysql exclude each other")
        binary = server
    running = _recorded_up()
    if running is not None:
        raise UsageError(f"mysql-chaos up is already running (pid {running['pid']})")
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    record_path: Path | None = None
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
            record_path = _write_record(
                {"pid": os.getpid(), "start_time": _start_time(os.getpid()), "api": toxiproxy.url}
            )
            click.echo(f"server (direct):     {direct.url('mysql')}")
            click.echo(f"server (via proxy):  {proxied}")
            # With its secret: the API refuses requests without it, and this user is its owner.
            click.echo(f"toxiproxy API:       {toxiproxy.url}  (proxy name: mysql)")
            click.echo(f"running as pid {os.getpid()}; stop with Ctrl-C or `mysql-chaos down`")
            while True:
                signal.pause()
    except (KeyboardInterrupt, _Stop):
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        if record_path is not None:
            record_path.unlink(missing_ok=True)
    click.echo("stopped")


@click.command()
def down() -> None:
    """Stop the server and proxy of a running `mysql-chaos up` (by its recorded pid)."""
    record = _recorded_up()
    if record is None:
        click.echo("no mysql-chaos up is running")
        return
    pid = int(record["pid"])  # type: ignore[call-overload]
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + _STOP_WAIT
    while _start_time(pid) == record["start_time"]:
        if time.monotonic() > deadline:
            raise ChaosError(f"mysql-chaos up (pid {pid}) did not stop in {_STOP_WAIT:.0f} s")
        time.sleep(0.1)
    click.echo(f"stopped mysql-chaos up (pid {pid})")
