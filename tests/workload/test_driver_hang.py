"""Every wait is bounded: a stuck operation is recorded as hang and the run goes on."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from chaos.checker import check
from chaos.workload.bank import read_state
from chaos.workload.driver import WorkloadDriver
from chaos.workload.history import HANG, Phase, Result

from .conftest import INITIAL_TOTAL
from .strategies import GatedStrategy

HARD_DEADLINE = 0.5
# Generous: a released thread needs a connect and a transfer to come back, even on a busy box.
# Only a worker that stays stuck costs the whole window.
RECLAIM = 3.0
SLACK = 0.5

Gated = tuple[GatedStrategy, WorkloadDriver]


@pytest.fixture
def make_gated(bank) -> Iterator[Callable[..., Gated]]:
    made: list[Gated] = []

    def make(stalled_prefix: str = "", reclaim_seconds: float = RECLAIM) -> Gated:
        strategy = GatedStrategy(bank, stalled_prefix)
        driver = WorkloadDriver(
            strategy, workers=2, hard_deadline=HARD_DEADLINE, reclaim_seconds=reclaim_seconds
        )
        made.append((strategy, driver))
        return strategy, driver

    yield make
    for strategy, driver in made:
        strategy.gate.set()  # unblock the abandoned threads before the database goes
        driver.close()


def test_a_blocked_operation_is_recorded_as_hang_within_the_bound(make_gated):
    strategy, driver = make_gated()
    strategy.gate.clear()  # the server freezes: nothing answers
    started = time.monotonic()
    driver.run_one_at_a_time(1, Phase.FAULT)
    assert time.monotonic() - started < HARD_DEADLINE + SLACK
    (op,) = driver.operations
    assert (op.result, op.error) == (Result.UNKNOWN, HANG)
    assert op.duration >= HARD_DEADLINE


def test_after_a_hang_the_next_operation_goes_to_a_worker_that_is_not_stuck(make_gated):
    strategy, driver = make_gated()
    strategy.gate.clear()
    driver.run_one_at_a_time(3, Phase.FAULT)
    # w0 hangs, w1 hangs, then nobody is left: the phase stops instead of blocking.
    assert [(op.op_id, op.error) for op in driver.operations] == [("w0-1", HANG), ("w1-1", HANG)]


def test_a_worker_that_hangs_in_a_concurrent_phase_gets_no_further_operation_in_it(make_gated):
    strategy, driver = make_gated(stalled_prefix="w0-")
    strategy.gate.clear()
    started = time.monotonic()
    driver.run_concurrently(3, Phase.WARMUP)
    assert time.monotonic() - started < HARD_DEADLINE + SLACK
    assert [(op.op_id, op.error) for op in driver.operations if op.worker == 0] == [("w0-1", HANG)]
    assert [op.result for op in driver.operations if op.worker == 1] == [Result.OK] * 3


def test_a_stuck_worker_that_finishes_within_the_reclaim_window_rejoins(make_gated, bank):
    strategy, driver = make_gated()
    driver.run_concurrently(1, Phase.WARMUP)
    strategy.gate.clear()
    driver.run_one_at_a_time(1, Phase.FAULT)
    strategy.gate.set()  # heal: the stuck operation goes through, late
    driver.mark_heal()
    assert driver.run_until_recovered(Phase.RECOVERY, 5, operations_after_success=0) is True
    history = driver.history("gated", "freeze")
    recovery = history.in_phase(Phase.RECOVERY)
    assert {op.worker for op in recovery} == {0, 1}
    assert all(op.result is Result.OK for op in recovery)

    result = check(history, read_state(bank), initial_total=INITIAL_TOTAL, recovery_deadline=5)
    # The late transfer committed: allowed for an unknown. Only the hang itself is a violation.
    assert [(v.kind, v.op_ids) for v in result.violations] == [("hang", ("w0-2",))]


def test_the_fault_phase_waits_for_its_preferred_worker_to_come_back_before_choosing(make_gated):
    strategy, driver = make_gated()
    strategy.gate.clear()
    driver.run_one_at_a_time(1, Phase.FAULT)  # w0 hangs
    strategy.gate.set()  # and finishes late, whenever its thread is scheduled
    driver.run_one_at_a_time(1, Phase.FAULT, worker=0)
    assert [op.op_id for op in driver.operations] == ["w0-1", "w0-2"]


def test_a_worker_still_stuck_after_the_reclaim_window_takes_no_further_part(make_gated):
    strategy, driver = make_gated(stalled_prefix="w0-", reclaim_seconds=0.3)
    strategy.gate.clear()
    driver.run_one_at_a_time(1, Phase.FAULT)  # w0 is stuck for good
    started, since = time.monotonic(), driver.now()
    driver.run_concurrently(2, Phase.RECOVERY)
    assert time.monotonic() - started < 0.3 + SLACK
    driver.run_concurrently(1, Phase.RECOVERY)  # lost for good: no second reclaim wait
    assert time.monotonic() - started < 0.3 + 2 * SLACK
    assert [op.op_id for op in driver.operations if op.invoke >= since] == ["w1-1", "w1-2", "w1-3"]


def test_close_returns_even_with_a_stuck_worker(make_gated):
    strategy, driver = make_gated()
    strategy.gate.clear()
    driver.run_one_at_a_time(1, Phase.FAULT)
    started = time.monotonic()
    driver.close()
    assert time.monotonic() - started < SLACK
