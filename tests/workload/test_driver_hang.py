"""Every wait is bounded: a stuck operation is recorded as hang and the run goes on."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from chaos.checker import check
from chaos.workload.bank import read_state
from chaos.workload.driver import WorkloadDriver
from chaos.workload.history import HANG, Phase, Result

from .conftest import INITIAL_TOTAL
from .strategies import GatedStrategy

HARD_DEADLINE = 0.3
RECLAIM = 0.3


@pytest.fixture
def gated(bank) -> Iterator[tuple[GatedStrategy, WorkloadDriver]]:
    strategy = GatedStrategy(bank)
    driver = WorkloadDriver(
        strategy, workers=2, hard_deadline=HARD_DEADLINE, reclaim_seconds=RECLAIM
    )
    try:
        yield strategy, driver
    finally:
        strategy.gate.set()  # unblock the abandoned threads before the database goes
        driver.close()


def test_a_blocked_operation_is_recorded_as_hang_within_the_bound(gated):
    strategy, driver = gated
    strategy.gate.clear()  # the server freezes: nothing answers
    started = time.monotonic()
    driver.run_one_at_a_time(1, Phase.FAULT)
    elapsed = time.monotonic() - started
    assert elapsed < HARD_DEADLINE + 0.5
    (op,) = driver.operations
    assert (op.result, op.error) == (Result.UNKNOWN, HANG)
    assert op.duration >= HARD_DEADLINE


def test_after_a_hang_the_next_operation_goes_to_a_worker_that_is_not_stuck(gated):
    strategy, driver = gated
    strategy.gate.clear()
    driver.run_one_at_a_time(3, Phase.FAULT)
    # w0 hangs, w1 hangs, then nobody is left: the phase stops instead of blocking.
    assert [(op.op_id, op.error) for op in driver.operations] == [("w0-1", HANG), ("w1-1", HANG)]


def test_a_stuck_worker_that_finishes_within_the_reclaim_window_rejoins(gated, bank):
    strategy, driver = gated
    driver.run_concurrently(1, Phase.WARMUP)
    strategy.gate.clear()
    driver.run_one_at_a_time(1, Phase.FAULT)
    strategy.gate.set()  # heal: the stuck operation goes through, late
    driver.mark_heal()
    assert driver.run_until_recovered(Phase.RECOVERY, 5, operations_after_success=0) is True
    recovery = driver.history("gated", "freeze").in_phase(Phase.RECOVERY)
    assert {op.worker for op in recovery} == {0, 1}
    assert all(op.result is Result.OK for op in recovery)

    history = driver.history("gated", "freeze")
    result = check(history, read_state(bank), initial_total=INITIAL_TOTAL, recovery_deadline=5)
    # The late transfer committed: allowed for an unknown. Only the hang itself is a violation.
    assert [(v.kind, v.op_ids) for v in result.violations] == [("hang", ("w0-2",))]


def test_a_worker_still_stuck_after_the_reclaim_window_takes_no_further_part(gated):
    strategy, driver = gated
    strategy.gate.clear()
    driver.run_one_at_a_time(1, Phase.FAULT)  # w0 is stuck for good
    strategy.run = lambda unit: None  # every other thread now gets through at once
    started, since = time.monotonic(), driver.now()
    driver.run_concurrently(2, Phase.RECOVERY)
    assert time.monotonic() - started < RECLAIM + 0.5
    recovery = driver.history("gated", "freeze").in_phase(Phase.RECOVERY)
    assert [op.worker for op in recovery] == [1, 1]
    driver.run_concurrently(1, Phase.RECOVERY)  # lost for good: no second reclaim wait
    assert [op.worker for op in driver.operations if op.invoke >= since] == [1, 1, 1]


def test_close_returns_even_with_a_stuck_worker(bank):
    strategy = GatedStrategy(bank)
    driver = WorkloadDriver(strategy, workers=1, hard_deadline=0.1)
    strategy.gate.clear()
    try:
        driver.run_one_at_a_time(1, Phase.FAULT)
        started = time.monotonic()
        driver.close()
        assert time.monotonic() - started < 0.5
    finally:
        strategy.gate.set()
