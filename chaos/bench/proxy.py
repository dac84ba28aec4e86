"""Proxy overhead: ``SELECT 1`` round trips direct to MySQL vs through Toxiproxy.

Targets are measured in interleaved rounds (direct, embedded, real, then the next round in a
rotated order), so drift on a shared machine spreads over all of them. Load comes from one process
per connection, so the client's GIL is never what limits a concurrency of 16; the embedded server
runs in process mode for the same reason. TLS is off (``ssl_disabled=True``), as every setting
here, because pymysql would otherwise build an SSLContext per connect.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import statistics
import time
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection as Pipe
from typing import Any

import pymysql

from chaos.bench.processes import client_orders, stop_client_processes
from chaos.errors import ServerError, ToxiproxyError
from chaos.settings import ConnectionSettings
from chaos.toxiproxy.client import ToxiproxyClient
from chaos.toxiproxy.embedded import EmbeddedToxiproxy

log = logging.getLogger(__name__)

WARM_UP_SECONDS = 0.3
START_MARGIN_SECONDS = 0.2  # workers connect, then all start together this long after the order


@dataclass(frozen=True)
class Target:
    name: str
    host: str
    port: int


@dataclass
class Cell:
    """All round trips of one target at one concurrency, over every round."""

    target: str
    concurrency: int
    latencies: array = field(default_factory=lambda: array("d"))
    seconds: float = 0.0
    round_p50s: list[float] = field(default_factory=list)

    @property
    def queries(self) -> int:
        return len(self.latencies)

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    @property
    def p50(self) -> float:
        return self.percentile(0.50)

    @property
    def p99(self) -> float:
        return self.percentile(0.99)

    @property
    def qps(self) -> float:
        return self.queries / self.seconds if self.seconds else 0.0


@dataclass
class ProxyBenchReport:
    settings: ConnectionSettings
    duration: float
    rounds: int
    concurrencies: tuple[int, ...]
    targets: list[str]
    cells: dict[tuple[str, int], Cell]

    def cell(self, target: str, concurrency: int) -> Cell:
        return self.cells[(target, concurrency)]

    def ratios(self, target: str, concurrency: int) -> dict[str, float]:
        """p50, p99 and q/s of ``target`` over direct's (latency ratios > 1 mean slower)."""
        cell, direct = self.cell(target, concurrency), self.cell("direct", concurrency)
        per_round = [
            mine / theirs
            for mine, theirs in zip(cell.round_p50s, direct.round_p50s, strict=True)
            if theirs
        ]
        return {
            "p50": cell.p50 / direct.p50,
            "p99": cell.p99 / direct.p99,
            "qps": cell.qps / direct.qps if direct.qps else float("nan"),
            "p50_round_median": statistics.median(per_round) if per_round else float("nan"),
        }


# -- load workers (separate processes) ---------------------------------------------------------


def _worker(pipe: Pipe) -> None:
    """Run cells on demand: connect, wait for the common start, SELECT 1 until the end."""
    for kwargs, start_at, duration in client_orders(pipe):
        try:
            connection = pymysql.connect(**kwargs)
        except pymysql.MySQLError as e:
            pipe.send(("error", str(e)))
            continue
        latencies = array("d")
        try:
            cursor = connection.cursor()
            clock = time.perf_counter
            while time.monotonic() < start_at:
                time.sleep(min(0.01, max(0.0, start_at - time.monotonic())))
            end = start_at + duration
            while time.monotonic() < end:
                began = clock()
                cursor.execute("SELECT 1")
                cursor.fetchall()
                latencies.append(clock() - began)
        except pymysql.MySQLError as e:
            pipe.send(("error", str(e)))
            continue
        finally:
            connection.close()
        pipe.send(("ok", latencies.tobytes()))


class _WorkerPool:
    def __init__(self, size: int) -> None:
        context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
        self._pipes: list[Pipe] = []
        self._processes: list[Any] = []
        for _ in range(size):
            parent, child = context.Pipe()
            process = context.Process(target=_worker, args=(child,), daemon=True)
            process.start()
            child.close()
            self._pipes.append(parent)
            self._processes.append(process)

    def run(self, kwargs: dict[str, Any], concurrency: int, duration: float) -> array:
        start_at = time.monotonic() + START_MARGIN_SECONDS + 0.01 * concurrency
        pipes = self._pipes[:concurrency]
        for pipe in pipes:
            pipe.send((kwargs, start_at, duration))
        latencies = array("d")
        errors = []
        for pipe in pipes:
            status, payload = pipe.recv()
            if status == "ok":
                latencies.frombytes(payload)
            else:
                errors.append(payload)
        if errors:
            where = f"{kwargs['host']}:{kwargs['port']}"
            raise ServerError(f"SELECT 1 via {where} failed: {errors[0]}")
        return latencies

    def close(self) -> None:
        stop_client_processes(self._pipes, self._processes)


# -- targets ----------------------------------------------------------------------------------


@contextlib.contextmanager
def _proxy_target(name: str, client: ToxiproxyClient, upstream: str) -> Iterator[Target]:
    proxy_name = f"mysql_chaos_bench_{os.getpid()}"
    with contextlib.suppress(ToxiproxyError):
        client.delete_proxy(proxy_name)
    proxy = client.create_proxy(proxy_name, upstream)
    try:
        yield Target(name, proxy.listen_host, proxy.listen_port)
    finally:
        with contextlib.suppress(ToxiproxyError):
            proxy.delete()


def _check_reachable(settings: ConnectionSettings) -> None:
    try:
        pymysql.connect(**settings.pymysql_kwargs(connect_timeout=5)).close()
    except pymysql.MySQLError as e:
        raise ServerError(f"cannot reach MySQL at {settings.host}:{settings.port}: {e}") from e


def run_proxy_benchmark(
    settings: ConnectionSettings,
    *,
    duration: float = 2.0,
    rounds: int = 3,
    concurrencies: tuple[int, ...] = (1, 16),
    toxiproxy_url: str | None = None,
    progress: Callable[[str], None] = lambda message: None,
) -> ProxyBenchReport:
    """Measure every target at every concurrency, ``rounds`` times, ``duration`` s each."""
    _check_reachable(settings)
    upstream = f"{settings.host}:{settings.port}"
    cells: dict[tuple[str, int], Cell] = {}
    with contextlib.ExitStack() as stack:
        targets = [Target("direct", settings.host, settings.port)]
        embedded = stack.enter_context(EmbeddedToxiproxy(mode="process"))
        targets.append(stack.enter_context(_proxy_target("embedded", embedded.client(), upstream)))
        if toxiproxy_url:
            real = ToxiproxyClient(toxiproxy_url)
            real.version()
            targets.append(stack.enter_context(_proxy_target("toxiproxy", real, upstream)))
        pool = _WorkerPool(max(concurrencies))
        stack.callback(pool.close)

        def run(target: Target, concurrency: int, seconds: float) -> array:
            kwargs = settings.pymysql_kwargs(host=target.host, port=target.port)
            return pool.run(kwargs, concurrency, seconds)

        for target in targets:
            run(target, 1, WARM_UP_SECONDS)
        for round_number in range(rounds):
            order = targets[round_number % len(targets) :] + targets[: round_number % len(targets)]
            for concurrency in concurrencies:
                for target in order:
                    progress(f"round {round_number + 1}/{rounds}: {target.name} c={concurrency}")
                    latencies = run(target, concurrency, duration)
                    cell = cells.setdefault(
                        (target.name, concurrency), Cell(target.name, concurrency)
                    )
                    cell.latencies.extend(latencies)
                    cell.seconds += duration
                    cell.round_p50s.append(statistics.median(latencies) if latencies else 0.0)
    return ProxyBenchReport(
        settings=settings,
        duration=duration,
        rounds=rounds,
        concurrencies=concurrencies,
        targets=[target.name for target in targets],
        cells=cells,
    )
