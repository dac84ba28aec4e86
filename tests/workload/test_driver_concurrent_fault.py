"""The fault phase runs every worker at once, one of them reading, against a disposable server."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pymysql
import pytest

from chaos.servers.local import LocalServer
from chaos.settings import ConnectionSettings
from chaos.strategy import UnitOfWork
from chaos.workload.bank import create_schema
from chaos.workload.database import scratch_database
from chaos.workload.driver import WorkloadDriver
from chaos.workload.generator import accounts_needed
from chaos.workload.history import Kind, Phase, Result

WORKERS = 4


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with LocalServer(name="driver-concurrent-fault") as started:
        yield started


@pytest.fixture
def bank(server: LocalServer) -> Iterator[ConnectionSettings]:
    with scratch_database(server.admin_settings, prefix="mchaos_cf_") as admin:
        with pymysql.connect(**admin.pymysql_kwargs()) as conn:
            create_schema(conn, accounts=accounts_needed(WORKERS))
            with conn.cursor() as cursor:
                cursor.execute(f"GRANT ALL ON `{admin.database}`.* TO 'app'@'%'")
        yield replace(server.settings, database=admin.database)


class PerThreadStrategy:
    """One connection per worker thread, kept until it fails; ``barrier`` (when set) makes
    every unit wait until all workers are inside one at the same time."""

    def __init__(self, settings: ConnectionSettings) -> None:
        self.settings = settings
        self.local = threading.local()
        self.barrier: threading.Barrier | None = None
        self.made: list[pymysql.Connection] = []

    def run(self, unit: UnitOfWork) -> Any:
        if self.barrier is not None:
            # Broken (an exception) unless every worker reaches it: proof they run at once.
            self.barrier.wait(timeout=5)
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = pymysql.connect(**self.settings.pymysql_kwargs())
            self.made.append(conn)
        try:
            result = unit.body(conn)
            conn.commit()
        except BaseException:
            self.local.conn = None
            conn.close()
            raise
        return result

    def close(self) -> None:
        for conn in self.made:
            if conn.open:
                conn.close()


@pytest.fixture
def strategy(bank: ConnectionSettings) -> Iterator[PerThreadStrategy]:
    made = PerThreadStrategy(bank)
    yield made
    made.close()


def test_every_worker_runs_its_fault_operations_at_the_same_time(bank, strategy) -> None:
    with WorkloadDriver(strategy, workers=WORKERS) as driver:
        strategy.barrier = threading.Barrier(WORKERS)
        driver.run_fault_phase(2)
    ops = driver.operations
    assert [op.result for op in ops] == [Result.OK] * (2 * WORKERS)
    assert all(op.phase is Phase.FAULT for op in ops)
    assert sorted({op.worker for op in ops}) == list(range(WORKERS))


def test_the_last_worker_reads_during_the_fault_while_the_others_transfer(bank, strategy) -> None:
    with WorkloadDriver(strategy, workers=WORKERS) as driver:
        driver.run_fault_phase(3)
    kinds = {w: {op.kind for op in driver.operations if op.worker == w} for w in range(WORKERS)}
    assert kinds == {0: {Kind.TRANSFER}, 1: {Kind.TRANSFER}, 2: {Kind.TRANSFER}, 3: {Kind.READ}}


def test_a_fault_on_every_connection_strikes_every_worker_reads_included(
    server, bank, strategy
) -> None:
    with WorkloadDriver(strategy, workers=WORKERS) as driver:
        driver.run_concurrently(2, Phase.WARMUP)
        fault_at = driver.mark_fault()
        for connection_id in server.client_connection_ids(bank.database):
            server.kill_connection(connection_id, missing_ok=True)
        driver.run_fault_phase(2)
        history = driver.history("per-thread", "kill-connection")
    first = {}
    for op in history.in_phase(Phase.FAULT):
        first.setdefault(op.worker, op)
    # Each worker's first operation met its own killed session: the fault chose, not timing.
    assert sorted(first) == list(range(WORKERS))
    assert all(op.result is Result.UNKNOWN and "2013" in (op.error or "") for op in first.values())
    assert first[WORKERS - 1].kind is Kind.READ
    # The second one reconnected.
    assert all(
        op.result is Result.OK
        for op in history.in_phase(Phase.FAULT)
        if op.op_id not in {o.op_id for o in first.values()}
    )
    assert history.meta.fault_time == fault_at


def test_one_worker_alone_transfers_in_the_fault_phase(bank, strategy) -> None:
    with WorkloadDriver(strategy, workers=1) as driver:
        driver.run_fault_phase(2)
    assert [op.kind for op in driver.operations] == [Kind.TRANSFER, Kind.TRANSFER]
