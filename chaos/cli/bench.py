"""``mysql-chaos bench``: benchmarks that print ratios (never pass/fail)."""

from __future__ import annotations

import click

from chaos.bench.proxy import ProxyBenchReport, run_proxy_benchmark
from chaos.errors import UsageError
from chaos.settings import ConnectionSettings


@click.group("bench")
def bench() -> None:
    """Benchmarks; each prints measurements and ratios."""


@bench.command("proxy")
@click.option(
    "--mysql-url",
    default="mysql://root@127.0.0.1:3306/test",
    show_default=True,
    help="The MySQL/MariaDB server to query.",
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
def proxy(
    mysql_url: str,
    duration: float,
    rounds: int,
    concurrencies: tuple[int, ...],
    toxiproxy_url: str | None,
) -> None:
    """SELECT 1 latency (p50, p99) and queries/s: direct vs through the embedded Toxiproxy
    (process mode) and a real one when TOXIPROXY_URL is set, as ratios to direct."""
    if toxiproxy_url is not None and not toxiproxy_url.strip():
        toxiproxy_url = None
    if toxiproxy_url and not toxiproxy_url.startswith(("http://", "https://")):
        raise UsageError(f"--toxiproxy-url must be an http:// URL: {toxiproxy_url!r}")
    settings = ConnectionSettings.from_url(mysql_url)
    report = run_proxy_benchmark(
        settings,
        duration=duration,
        rounds=rounds,
        concurrencies=tuple(sorted(set(concurrencies))),
        toxiproxy_url=toxiproxy_url,
        progress=lambda message: click.echo(f"  {message}", err=True),
    )
    click.echo(render(report))


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
