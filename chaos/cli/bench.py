"""``mysql-chaos bench``: benchmarks that print ratios (never pass/fail)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import click

from chaos.appserver.app_server import choose_server
from chaos.bench import seed as seed_bench
from chaos.bench.proxy import ProxyBenchReport, run_proxy_benchmark
from chaos.cli.run_options import DEFAULT_JOBS
from chaos.errors import ServerError, UsageError
from chaos.servers.external import ExternalServer
from chaos.servers.local import LocalServer
from chaos.servers.rootfs import MYSQL_FLAVOUR
from chaos.settings import ConnectionSettings


@contextlib.contextmanager
def _server_settings(mysql_url: str | None, server: str) -> Iterator[ConnectionSettings]:
    """``--mysql-url`` parsed, or a disposable server's app account for the run (``--server``:
    MariaDB, or Oracle MySQL from its root filesystem); prints which server it is, first."""
    if mysql_url:
        if server != "local":
            raise UsageError("--server and --mysql-url exclude each other")
        settings = ConnectionSettings.from_url(mysql_url)
        click.echo(f"server: {_server_name(settings)} at --mysql-url")
        yield settings
        return
    flavour = "Oracle MySQL" if server == MYSQL_FLAVOUR else "MariaDB"
    click.echo(f"  starting a disposable {flavour}", err=True)
    with LocalServer(binary=None if server == "local" else server) as disposable:
        click.echo(f"server: {_server_name(disposable.settings)}, disposable (--server {server})")
        yield disposable.settings


def _server_name(settings: ConnectionSettings) -> str:
    """What the server says it is: ``MariaDB 10.11.19-...`` or ``Oracle MySQL 9.7.4-2``."""
    try:
        version = str(ExternalServer(settings).query("SELECT VERSION()")[0][0])
    except ServerError as e:
        reason = e.__cause__ or e
        raise ServerError(f"cannot reach MySQL at {settings.host}:{settings.port}: {reason}") from e
    return f"MariaDB {version}" if "mariadb" in version.lower() else f"Oracle MySQL {version}"


SERVER_OPTION = click.option(
    "--server",
    type=click.Choice(["local", MYSQL_FLAVOUR]),
    default="local",
    show_default=True,
    help="The disposable server: local (mariadbd on PATH) or mysql (Oracle MySQL from the root "
    "filesystem `mysql-chaos server install mysql` makes). Not with --mysql-url.",
)


def _progress(message: str) -> None:
    click.echo(f"  {message}", err=True)


@click.group("bench")
def bench() -> None:
    """Benchmarks; each prints measurements and ratios."""


@bench.command("proxy")
@click.option(
    "--mysql-url",
    default=None,
    help="The MySQL/MariaDB server to query (default: a disposable local server).",
)
@click.option(
    "--duration",
    type=click.FloatRange(min=0.1, max=600),
    default=2.0,
    show_default=True,
    help="Seconds per target and concurrency, per round.",
)
@click.option(
    "--rounds",
    type=click.IntRange(1, 100),
    default=3,
    show_default=True,
    help="Interleaved rounds.",
)
@click.option(
    "--concurrency",
    "concurrencies",
    type=click.IntRange(1, 256),
    multiple=True,
    default=(1, 16),
    show_default=True,
    help="Connections at once, each in its own process (repeat the option).",
)
@click.option(
    "--toxiproxy-url",
    envvar="TOXIPROXY_URL",
    default=None,
    help="A real Toxiproxy to compare with (default: $TOXIPROXY_URL).",
)
@SERVER_OPTION
def proxy(
    mysql_url: str | None,
    duration: float,
    rounds: int,
    concurrencies: tuple[int, ...],
    toxiproxy_url: str | None,
    server: str,
) -> None:
    """SELECT 1 latency (p50, p99) and queries/s: direct vs through the embedded Toxiproxy
    (process mode) and a real one when TOXIPROXY_URL is set, as ratios to direct."""
    if toxiproxy_url is not None and not toxiproxy_url.strip():
        toxiproxy_url = None
    if toxiproxy_url and not toxiproxy_url.startswith(("http://", "https://")):
        raise UsageError(f"--toxiproxy-url must be an http:// URL: {toxiproxy_url!r}")
    with _server_settings(mysql_url, server) as settings:
        report = run_proxy_benchmark(
            settings,
            duration=duration,
            rounds=rounds,
            concurrencies=tuple(sorted(set(concurrencies))),
            toxiproxy_url=toxiproxy_url,
            progress=_progress,
        )
    click.echo(render(report))


@bench.command("seed")
@click.option(
    "--mysql-url",
    default=None,
    help="The MySQL/MariaDB server the apps query (default: a disposable local server).",
)
@click.option(
    "--duration",
    type=click.FloatRange(min=0.1, max=600),
    default=5.0,
    show_default=True,
    help="Seconds per app, TLS mode and concurrency, per round (siege -t).",
)
@click.option(
    "--rounds",
    type=click.IntRange(1, 100),
    default=3,
    show_default=True,
    help="Interleaved rounds.",
)
@click.option(
    "--concurrency",
    "concurrencies",
    type=click.IntRange(1, 64),
    multiple=True,
    default=(1, 4, 8, 16),
    show_default=True,
    help="HTTP clients at once, each in its own process (repeat the option).",
)
@click.option(
    "--tls",
    "tls_modes",
    type=click.Choice(seed_bench.TLS_MODES),
    multiple=True,
    default=seed_bench.TLS_MODES,
    show_default=True,
    help="off: ssl_disabled=True; default: pymysql's default (repeat the option).",
)
@click.option(
    "--wsgi-server",
    type=click.Choice(["auto", "uwsgi", "gunicorn"]),
    default="auto",
    show_default=True,
    help="auto: uWSGI when installed, else gunicorn.",
)
@SERVER_OPTION
def seed(
    mysql_url: str | None,
    duration: float,
    rounds: int,
    concurrencies: tuple[int, ...],
    tls_modes: tuple[str, ...],
    wsgi_server: str,
    server: str,
) -> None:
    """The seed's benchmark: GET /?city=London req/s of the seed's Flask app under uWSGI
    (1 process, 16 threads) for per-request, dbutils-persistent, sqlalchemy-pre-ping and safe,
    with TLS off and default, as ratios to dbutils-persistent."""
    app_server = choose_server(wsgi_server)
    if mysql_url:
        ConnectionSettings.from_url(mysql_url)  # bad input fails before anything starts
    with _server_settings(mysql_url, server) as settings:
        report = seed_bench.run_seed_benchmark(
            settings,
            server=app_server,
            duration=duration,
            rounds=rounds,
            concurrencies=tuple(sorted(set(concurrencies))),
            tls_modes=tuple(mode for mode in seed_bench.TLS_MODES if mode in tls_modes),
            progress=_progress,
        )
    click.echo("\n".join(seed_bench.render(report)))


@bench.command("plugin")
@click.option("--strategy", "strategies", multiple=True, metavar="NAME", help="Repeatable.")
@click.option("--fault", "faults", multiple=True, metavar="NAME", help="Repeatable.")
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    default=DEFAULT_JOBS,
    show_default=True,
    help="Cells at once: --jobs of the CLI, --mysql-chaos-jobs of pytest.",
)
@click.option(
    "--workers",
    type=click.IntRange(0, 64),
    default=2,
    show_default=True,
    help="pytest -n (pytest-xdist workers); 0: no xdist.",
)
@click.option(
    "--rounds",
    type=click.IntRange(1, 100),
    default=1,
    show_default=True,
    help="Rounds of one run each, the order alternating.",
)
def plugin(
    strategies: tuple[str, ...], faults: tuple[str, ...], jobs: int, workers: int, rounds: int
) -> None:
    """Wall time of the same matrix cells through `mysql-chaos matrix` and through
    `pytest --mysql-chaos-matrix` (with -n WORKERS), side by side, as their ratio."""
    from chaos.bench import plugin as plugin_bench
    from chaos.faults.base import select_faults
    from chaos.runner.matrix_plan import select_strategies

    if workers:
        try:
            import xdist  # noqa: F401
        except ImportError as e:
            raise UsageError("--workers needs pytest-xdist (or --workers 0)") from e
    fault_names = select_faults(list(faults))  # bad names fail here, before any run
    rows = select_strategies(strategies) + [name for name in strategies if ":" in name]
    report = plugin_bench.run_plugin_benchmark(
        strategies,
        faults,
        cells=len(rows) * len(fault_names),
        jobs=jobs,
        workers=workers,
        rounds=rounds,
        progress=_progress,
    )
    click.echo("\n".join(plugin_bench.render(report)))


def render(report: ProxyBenchReport) -> str:
    settings = report.settings
    lines = [
        f"SELECT 1 round trips to {settings.host}:{settings.port} with pymysql, "
        "ssl_disabled=True (no TLS)",
        f"{report.rounds} interleaved rounds x {report.duration:g} s per cell; "
        "one client process per connection; embedded server in process mode",
    ]
    header = (
        f"{'target':<10} {'p50 us':>8} {'p99 us':>8} {'q/s':>8}   "
        f"{'p50 x':>6} {'p99 x':>6} {'q/s x':>6}  {'p50 x per round':<20}"
    )
    for concurrency in report.concurrencies:
        lines += ["", f"concurrency {concurrency}", header]
        for target in report.targets:
            cell = report.cell(target, concurrency)
            ratios = report.ratios(target, concurrency)
            direct = report.cell("direct", concurrency)
            per_round = " ".join(
                f"{mine / theirs:.2f}"
                for mine, theirs in zip(cell.round_p50s, direct.round_p50s, strict=True)
                if theirs
            )
            lines.append(
                f"{target:<10} {cell.p50 * 1e6:>8.1f} {cell.p99 * 1e6:>8.1f} {cell.qps:>8.0f}   "
                f"{ratios['p50']:>6.2f} {ratios['p99']:>6.2f} {ratios['qps']:>6.2f}  {per_round}"
            )
    return "\n".join(lines)
