"""``connect-storm``: the connect attempts the kernel counted, in the busiest second of the
fault, shared among the workers in flight then; above 40 per worker it is a storm."""

from __future__ import annotations

from dataclasses import replace

import pytest

from chaos.checker import APP_CHECKS, BANK_CHECKS, HTTP_CHECKS, CheckContext
from chaos.checker.connect_storm import (
    CONNECTS_PER_WORKER_SECOND,
    ConnectStormChecker,
    busiest_second,
)
from chaos.fault_effect import FaultEffect, combined
from chaos.workload.history import History, Kind, Operation, Phase, Result

from .builders import history

FAULT_TIME = 2.0


def op(worker: int, invoke: float, complete: float) -> Operation:
    return Operation(
        f"w{worker}-1", worker, Kind.TRANSFER, Phase.FAULT, invoke, complete, Result.UNKNOWN
    )


def run(per_tenth: tuple[int, ...], *operations: Operation, workers: int = 4) -> History:
    heal = FaultEffect.counted(sum(per_tenth), "rule removed")
    heal = replace(heal, connects=sum(per_tenth), connects_per_tenth=per_tenth)
    return history(*operations).with_meta(
        fault_time=FAULT_TIME, workers=workers, inject_effect=FaultEffect(), heal_effect=heal
    )


def storms(run: History) -> list[str]:
    return [v.detail for v in ConnectStormChecker().check(run, None, CheckContext(3.0))]


def test_the_busiest_second_is_the_window_of_ten_tenths_with_most_attempts() -> None:
    assert busiest_second((1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 5)) == (3, 10)
    assert busiest_second((2, 3)) == (0, 5)  # a fault shorter than a second: all of it
    assert busiest_second(()) == (0, 0)


def test_a_tight_loop_names_the_workers_in_flight_and_their_rate() -> None:
    # 2 of 4 workers had an operation in flight while 400 attempts met the rule.
    tight = run((0, 200, 200), op(0, 2.0, 3.5), op(1, 2.05, 3.5), op(2, 9.0, 9.1))
    (detail,) = storms(tight)
    assert detail.startswith("workers 0, 1: 200 connect attempts per worker per second")
    assert "(threshold 40): 400 met the fault's rule in the second from 2.0 s" in detail
    (violation,) = ConnectStormChecker().check(tight, None, CheckContext(3.0))
    assert violation.op_ids == ("w0-1", "w1-1")


def test_a_few_quick_retries_are_no_storm_however_short_the_fault() -> None:
    # 3 retries per worker within 50 ms is 3 in that second, not 60 per second.
    assert storms(run((12,), *(op(w, 2.0, 2.05) for w in range(4)))) == []


def test_the_threshold_is_per_worker_and_per_second() -> None:
    at = CONNECTS_PER_WORKER_SECOND * 4
    workers = [op(w, 2.0, 5.0) for w in range(4)]
    assert storms(run((at,), *workers)) == []
    assert len(storms(run((at + 1,), *workers))) == 1
    # Spread over two seconds, twice the attempts are no storm.
    assert storms(run((at,) + (0,) * 9 + (at,), *workers)) == []


def test_with_no_operation_in_flight_every_worker_shares_the_attempts() -> None:
    (detail,) = storms(run((500,), workers=2))
    assert detail.startswith("workers 0, 1: 250 connect attempts")


@pytest.mark.parametrize(
    "effect",
    [None, FaultEffect(), FaultEffect.counted(3, "killed 3")],
    ids=["not-recorded", "unknown", "no-connect-count"],
)
def test_a_fault_that_counts_no_connects_is_not_judged(effect) -> None:
    assert storms(history(op(0, 1.0, 2.0)).with_meta(heal_effect=effect)) == []


def test_a_history_reloaded_from_json_keeps_the_counts_per_tenth() -> None:
    effect = FaultEffect(True, 3, "x", connects=3, connects_per_tenth=(0, 1, 2))
    assert FaultEffect.from_dict(effect.to_dict()) == effect
    both = combined(FaultEffect(detail="rule in"), effect)
    assert both is not None and (both.connects, both.connects_per_tenth) == (3, (0, 1, 2))


@pytest.mark.parametrize("composition", [BANK_CHECKS, APP_CHECKS, HTTP_CHECKS], ids=str)
def test_every_check_of_a_cell_judges_connect_storms(composition) -> None:
    assert "connect-storm" in composition.member_names
