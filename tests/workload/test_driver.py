"""The driver against the real server, through tiny real strategies."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator

import pytest

from chaos.checker import check
from chaos.workload.bank import read_state, session_setup_for
from chaos.workload.driver import WorkloadDriver
from chaos.workload.generator import accounts_for_worker
from chaos.workload.history import Kind, Phase, Result

from .conftest import INITIAL_TOTAL
from .strategies import (
    AlwaysFailingStrategy,
    PerUnitConnectionStrategy,
    ScriptedStrategy,
    ThreadRecordingStrategy,
)


class StepClock:
    """A clock that moves ``step`` seconds each time it is read: deadlines pass without sleeping."""

    def __init__(self, step: float) -> None:
        self.step = step
        self._ticks = itertools.count()
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return next(self._ticks) * self.step


@pytest.fixture
def driver_for() -> Iterator:
    drivers: list[WorkloadDriver] = []

    def make(strategy, **kwargs) -> WorkloadDriver:
        drivers.append(WorkloadDriver(strategy, **kwargs))
        return drivers[-1]

    yield make
    for driver in drivers:
        driver.close()


def test_returned_refused_and_lost_reply_are_recorded_ok_fail_and_unknown(bank, driver_for):
    strategy = ScriptedStrategy(bank, refuse=frozenset({"w0-2"}), lose_reply=frozenset({"w0-3"}))
    driver = driver_for(strategy, workers=1)
    driver.run_one_at_a_time(3, Phase.FAULT)
    ops = {op.op_id: op for op in driver.operations}

    assert ops["w0-1"].result is Result.OK and ops["w0-1"].error is None
    assert ops["w0-2"].result is Result.FAIL
    assert ops["w0-2"].error_kind == "CR_CONN_HOST_ERROR"  # the cause under the DefiniteFailure
    assert "DefiniteFailure" in ops["w0-2"].error and "2003" in ops["w0-2"].error
    assert ops["w0-3"].result is Result.UNKNOWN
    assert ops["w0-3"].error_kind == "CR_SERVER_LOST" and "2013" in ops["w0-3"].error
    # An unknown that happened and a fail that did not: both honest, so no violation.
    result = check(
        driver.history("scripted", "none"),
        read_state(bank),
        initial_total=INITIAL_TOTAL,
        recovery_deadline=1.0,
    )
    assert result.violations == ()
    assert (result.ok_ops, result.failed_ops, result.unknown_ops) == (1, 1, 1)


def test_a_strategy_that_reports_fail_for_a_committed_transfer_is_a_false_failure(bank, driver_for):
    driver = driver_for(ScriptedStrategy(bank, lie_failed=frozenset({"w0-2"})), workers=1)
    driver.run_one_at_a_time(2, Phase.FAULT)
    result = check(
        driver.history("liar", "none"),
        read_state(bank),
        initial_total=INITIAL_TOTAL,
        recovery_deadline=1.0,
    )
    assert [(v.kind, v.op_ids) for v in result.violations] == [("false-failure", ("w0-2",))]


def test_one_at_a_time_runs_transfers_strictly_in_sequence_on_the_chosen_worker(bank, driver_for):
    driver = driver_for(PerUnitConnectionStrategy(bank), workers=4)
    driver.run_one_at_a_time(5, Phase.FAULT, worker=2)
    ops = driver.operations
    assert [op.op_id for op in ops] == [f"w2-{n}" for n in range(1, 6)]
    assert all(op.kind is Kind.TRANSFER and op.phase is Phase.FAULT for op in ops)
    assert all(later.invoke >= earlier.complete for earlier, later in itertools.pairwise(ops))


def test_concurrent_phase_gives_every_worker_its_count_on_its_own_accounts(bank, driver_for):
    driver = driver_for(PerUnitConnectionStrategy(bank), workers=4)
    driver.run_concurrently(8, "warmup")
    ops = driver.operations
    assert len(ops) == 32 and all(op.result is Result.OK for op in ops)
    for op in ops:
        if op.kind is Kind.TRANSFER:
            assert {op.from_id, op.to_id} == set(accounts_for_worker(op.worker))
    assert sum(op.kind is Kind.READ for op in ops) == 8  # the 3:1 mix
    assert {op.read_total for op in ops if op.kind is Kind.READ} == {INITIAL_TOTAL}


def test_each_worker_keeps_one_thread_across_phases_like_a_uwsgi_thread(bank, driver_for):
    strategy = ThreadRecordingStrategy(bank)
    driver = driver_for(strategy, workers=3)
    driver.run_concurrently(2, Phase.WARMUP)
    driver.run_one_at_a_time(2, Phase.FAULT)
    driver.run_until_recovered(Phase.RECOVERY, deadline_seconds=5)
    threads_of: dict[int, set[int]] = {}
    for op in driver.operations:
        threads_of.setdefault(op.worker, set()).add(strategy.threads[op.op_id])
    assert all(len(threads) == 1 for threads in threads_of.values())
    assert len(set().union(*threads_of.values())) == 3


def test_recovery_phase_ends_once_each_worker_succeeded_and_did_its_extra_operations(
    bank, driver_for
):
    driver = driver_for(PerUnitConnectionStrategy(bank), workers=4)
    assert driver.run_until_recovered(Phase.RECOVERY, 5, operations_after_success=2) is True
    per_worker = [sum(op.worker == w for op in driver.operations) for w in range(4)]
    assert per_worker == [3, 3, 3, 3]


def test_recovery_phase_retries_a_failing_worker_until_it_succeeds(bank, driver_for):
    refused = frozenset({"w1-1", "w1-2", "w1-3"})
    driver = driver_for(ScriptedStrategy(bank, refuse=refused), workers=2)
    assert driver.run_until_recovered(Phase.RECOVERY, 5, operations_after_success=0) is True
    assert [(op.op_id, op.result) for op in driver.operations if op.worker == 1] == [
        ("w1-1", Result.FAIL),
        ("w1-2", Result.FAIL),
        ("w1-3", Result.FAIL),
        ("w1-4", Result.OK),
    ]


def test_recovery_phase_stops_at_its_deadline_when_nothing_succeeds(bank, driver_for):
    driver = driver_for(AlwaysFailingStrategy(), workers=2, clock=StepClock(0.05))
    assert driver.run_until_recovered(Phase.RECOVERY, deadline_seconds=1.0) is False
    (span,) = driver.history("failing", "none").meta.phases
    ops = driver.operations
    assert ops and all(op.result is Result.FAIL for op in ops)
    assert all(op.invoke < span.start + 1.0 for op in ops)
    assert {op.worker for op in ops} == {0, 1}


def test_a_clean_cell_gives_no_violation_and_measures_recovery(bank, driver_for):
    driver = driver_for(PerUnitConnectionStrategy(bank), workers=4)
    driver.run_concurrently(4, Phase.WARMUP)
    driver.run_one_at_a_time(2, Phase.FAULT)
    heal = driver.mark_heal()
    driver.run_until_recovered(Phase.RECOVERY, 5)
    history = driver.history("per-unit", "none", initial_total=INITIAL_TOTAL, recovery_deadline=5)
    assert history.meta.heal_time == heal
    assert [span.phase for span in history.meta.phases] == ["warmup", "fault", "recovery"]
    result = check(history, read_state(bank), initial_total=INITIAL_TOTAL, recovery_deadline=5)
    assert result.violations == ()
    assert result.recovery_seconds is not None and 0 < result.recovery_seconds < 5
    assert result.ok_ops == len(history.operations)


def test_read_once_has_every_worker_read_and_record_the_session_state_it_read_in(bank):
    setup = session_setup_for(bank)
    strategy = PerUnitConnectionStrategy(bank.with_session(setup))
    with WorkloadDriver(strategy, workers=3, session=setup) as driver:
        driver.read_once(Phase.WARMUP)
        driver.run_concurrently(1, Phase.FAULT)  # transfers: no reading
    reads = [op for op in driver.operations if op.kind is Kind.READ]
    assert sorted(op.worker for op in reads) == [0, 1, 2]
    assert all(op.phase is Phase.WARMUP and op.result is Result.OK for op in reads)
    assert all(op.read_total == INITIAL_TOTAL for op in reads)
    assert all(op.session is not None and op.session["time_zone"] == "+03:00" for op in reads)
    assert all(op.session["holds_named_lock"] == "1" for op in reads if op.session)
    transfers = [op for op in driver.operations if op.kind is Kind.TRANSFER]
    assert len(transfers) == 3 and all(op.session is None for op in transfers)
