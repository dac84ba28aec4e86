"""Time to recover, from inject and from heal: to the first success after the last failure.

Histories written by hand: the times depend on the history alone, no state is read.
"""

from __future__ import annotations

import pytest

from chaos.checker.recovery import recovered_after_heal, recovered_after_inject, recovered_at
from chaos.workload.history import CellMeta, History, Kind, Operation, Phase, Result

INJECT, HEAL = 1.0, 2.0


def op(worker: int, n: int, result: str, invoke: float, complete: float) -> Operation:
    phase = Phase.RECOVERY if invoke >= HEAL else Phase.FAULT if invoke >= INJECT else Phase.WARMUP
    error = "hang" if result == "hang" else None
    return Operation(
        f"w{worker}-{n}",
        worker,
        Kind.TRANSFER,
        phase,
        invoke,
        complete,
        Result.UNKNOWN if result == "hang" else Result(result),
        error=error,
    )


def cell(*operations: Operation) -> History:
    meta = CellMeta("hand", "written", 8.0, heal_time=HEAL, workers=2, fault_time=INJECT)
    return History(meta, tuple(sorted(operations, key=lambda o: (o.invoke, o.worker))))


def test_an_outage_recovers_after_the_heal_and_both_times_count_to_the_last_worker() -> None:
    history = cell(
        op(0, 1, "ok", 0.1, 0.2),
        op(0, 2, "fail", 1.1, 1.9),
        op(1, 1, "unknown", 1.1, 1.5),
        op(0, 3, "ok", 2.0, 2.05),
        op(1, 2, "fail", 2.0, 2.25),
        op(1, 3, "ok", 2.3, 2.4),
    )
    assert recovered_at(history) == pytest.approx(2.4)
    assert recovered_after_inject(history) == pytest.approx(1.4)
    assert recovered_after_heal(history) == pytest.approx(0.4)


def test_a_fault_that_strikes_once_recovers_before_the_heal_which_reads_zero() -> None:
    history = cell(
        op(0, 1, "unknown", 1.0, 1.1),
        op(1, 1, "ok", 1.0, 1.05),
        op(0, 2, "ok", 1.15, 1.3),
        op(0, 3, "ok", 2.0, 2.01),
        op(1, 2, "ok", 2.0, 2.01),
    )
    assert recovered_after_inject(history) == pytest.approx(0.3)
    assert recovered_after_heal(history) == 0.0


def test_without_any_failure_it_recovered_at_the_first_success_after_the_inject() -> None:
    history = cell(op(0, 1, "ok", 0.1, 0.2), op(0, 2, "ok", 1.2, 1.25), op(1, 1, "ok", 2.0, 2.1))
    assert recovered_after_inject(history) == pytest.approx(0.25)


def test_a_failure_after_a_success_moves_the_recovery_to_the_success_after_it() -> None:
    history = cell(
        op(0, 1, "fail", 1.0, 1.1),
        op(0, 2, "ok", 2.0, 2.1),
        op(1, 1, "ok", 2.0, 2.2),
        op(0, 3, "unknown", 2.1, 2.5),
        op(0, 4, "ok", 2.6, 2.7),
    )
    assert recovered_at(history) == pytest.approx(2.7)


@pytest.mark.parametrize("last", ["fail", "unknown", "hang"])
def test_a_worker_that_ends_broken_means_it_never_recovered(last: str) -> None:
    history = cell(
        op(0, 1, "fail", 1.0, 1.1),
        op(0, 2, "ok", 2.0, 2.1),
        op(1, 1, "ok", 2.0, 2.1),
        op(1, 2, last, 2.1, 2.2),
    )
    assert recovered_at(history) is None
    assert recovered_after_inject(history) is None and recovered_after_heal(history) is None


def test_a_cell_without_an_inject_has_no_recovery_time() -> None:
    history = History(CellMeta("hand", "written", 8.0), (op(0, 1, "ok", 0.1, 0.2),))
    assert recovered_at(history) is None
