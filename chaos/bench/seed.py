"""The seed's benchmark: its Flask app under uWSGI (1 process, 16 threads), ``GET /?city=London``.

Four apps: the seed's two (per-request, DBUtils PersistentDB), and sqlalchemy-pre-ping and safe,
each served by its own WSGI server process, with TLS off and with pymysql's default (TLS
preferred: a server without TLS still costs a fresh SSLContext per connect). Rounds interleave
every app at every concurrency, in an order rotated each round, so drift on a shared machine
spreads over all of them; each app's rate is compared with the persistent app's *of the same
round*, and the median of those ratios is reported.
"""

from __future__ import annotations

import contextlib
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field

from chaos.appserver.app_server import AppServer
from chaos.bench.http_load import LoadGenerator, LoadResult
from chaos.settings import ConnectionSettings
from chaos.strategy.registry import wsgi_apps

APPS = ("per-request", "dbutils-persistent", "sqlalchemy-pre-ping", "safe")
BASELINE = "dbutils-persistent"
TLS_MODES = ("off", "default")
PATH = "/?city=London"
WARM_UP_SECONDS = 0.5
#: The seed's own constants, unscaled: pool_recycle=3600 and MariaDB's wait_timeout of 8 h.
SEED_ENV = {"MYSQL_CHAOS_RECYCLE_SECONDS": "3600", "MYSQL_CHAOS_IDLE_SECONDS": "28800"}


@dataclass
class SeedCell:
    """One app with one TLS mode at one concurrency, over every round."""

    results: list[LoadResult] = field(default_factory=list)

    @property
    def rates(self) -> list[float]:
        return [result.rate for result in self.results]

    @property
    def failed(self) -> int:
        return sum(result.failed for result in self.results)

    @property
    def first_failure(self) -> str:
        return next((r.first_failure for r in self.results if r.first_failure), "")


@dataclass
class SeedBenchReport:
    server: str
    duration: float
    rounds: int
    concurrencies: tuple[int, ...]
    tls_modes: tuple[str, ...]
    cells: dict[tuple[str, str, int], SeedCell]

    def cell(self, app: str, tls: str, concurrency: int) -> SeedCell:
        return self.cells[(app, tls, concurrency)]

    def median_rate(self, app: str, tls: str, concurrency: int) -> float:
        return statistics.median(self.cell(app, tls, concurrency).rates)

    def round_ratios(self, app: str, tls: str, concurrency: int) -> list[float]:
        """``app``'s rate over the persistent app's, round by round (same TLS mode)."""
        mine = self.cell(app, tls, concurrency).rates
        theirs = self.cell(BASELINE, tls, concurrency).rates
        return [a / b if b else float("nan") for a, b in zip(mine, theirs, strict=True)]

    def median_ratio(self, app: str, tls: str, concurrency: int) -> float:
        return statistics.median(self.round_ratios(app, tls, concurrency))

    def safe_minimum(self) -> float:
        """The minimum, over concurrencies and TLS modes, of safe's median ratio."""
        return min(
            self.median_ratio("safe", tls, concurrency)
            for tls in self.tls_modes
            for concurrency in self.concurrencies
        )


def run_seed_benchmark(
    settings: ConnectionSettings,
    *,
    server: str = "auto",
    duration: float = 5.0,
    rounds: int = 3,
    concurrencies: tuple[int, ...] = (1, 4, 8, 16),
    tls_modes: tuple[str, ...] = TLS_MODES,
    progress: Callable[[str], None] = lambda message: None,
) -> SeedBenchReport:
    """Serve every app in every TLS mode at once, then measure them in interleaved rounds."""
    dsn = settings.url(scheme="mysql")
    variants = [(app, tls) for tls in tls_modes for app in APPS]
    cells: dict[tuple[str, str, int], SeedCell] = {}
    with contextlib.ExitStack() as stack:
        # Clients are forked before any server starts: they inherit nothing of them.
        load = stack.enter_context(LoadGenerator(max(concurrencies)))
        servers: dict[tuple[str, str], AppServer] = {}
        for app, tls in variants:
            progress(f"starting {app} (TLS {tls})")
            env = {
                **SEED_ENV,
                "MYSQL_CHAOS_STRATEGY": app,
                "MYSQL_CHAOS_TLS": tls,
            }
            secrets = {"MYSQL_CHAOS_DSN": dsn}
            servers[(app, tls)] = stack.enter_context(
                AppServer(wsgi_apps().get("seed"), env, server=server, secrets=secrets)
            )
        chosen = next(iter(servers.values())).server
        for app_server in servers.values():
            load.run(app_server.socket_path, PATH, max(concurrencies), WARM_UP_SECONDS)
        for round_number in range(rounds):
            shift = round_number % len(variants)
            order = variants[shift:] + variants[:shift]
            for concurrency in concurrencies:
                for app, tls in order:
                    progress(f"round {round_number + 1}/{rounds}: {app} TLS {tls} c={concurrency}")
                    result = load.run(servers[(app, tls)].socket_path, PATH, concurrency, duration)
                    cells.setdefault((app, tls, concurrency), SeedCell()).results.append(result)
    return SeedBenchReport(
        server=chosen,
        duration=duration,
        rounds=rounds,
        concurrencies=concurrencies,
        tls_modes=tuple(tls_modes),
        cells=cells,
    )


def render(report: SeedBenchReport) -> list[str]:
    """The table, then the ratio line last."""
    server = (
        "uWSGI --processes 1 --threads 16"
        if report.server == "uwsgi"
        else "gunicorn --workers 1 --threads 16 (uWSGI is not installed)"
    )
    columns = ",".join(str(c) for c in report.concurrencies)
    lines = [
        f"GET {PATH} served by {server}; load: the project's own HTTP/1.1 keep-alive clients,"
        " one process each (siege is not used)",
        f"{report.rounds} interleaved rounds x {report.duration:g} s per cell; req/s is the median"
        " over rounds; x is the median over rounds of the ratio to dbutils-persistent",
        "TLS off: ssl_disabled=True; TLS default: pymysql's default (TLS preferred: used where"
        " the server offers it, as MySQL does and the disposable MariaDB does not; either way"
        " each connect builds an SSLContext)",
        "",
        f"{'app':<20} {'TLS':<8}"
        + "".join(f" {'c=' + str(c) + ' req/s':>13} {'x':>5}" for c in report.concurrencies)
        + "  failed",
    ]
    failures = []
    for tls in report.tls_modes:
        for app in APPS:
            row = f"{app:<20} {tls:<8}"
            failed = 0
            for concurrency in report.concurrencies:
                cell = report.cell(app, tls, concurrency)
                rate = report.median_rate(app, tls, concurrency)
                ratio = report.median_ratio(app, tls, concurrency)
                row += f" {rate:>13.0f} {ratio:>5.2f}"
                failed += cell.failed
                if cell.first_failure:
                    failures.append(f"{app} TLS {tls} c={concurrency}: {cell.first_failure}")
            lines.append(f"{row}  {failed}")
    lines.append("")
    for tls in report.tls_modes:
        per_round = "; ".join(
            f"c={c}: " + " ".join(f"{r:.2f}" for r in report.round_ratios("safe", tls, c))
            for c in report.concurrencies
        )
        lines.append(f"safe/persistent per round, TLS {tls}: {per_round}")
    lines += [f"failed requests: {line}" for line in failures[:5]]
    lines.append(f"safe/persistent: min {report.safe_minimum():.2f} over c={columns}")
    return lines
