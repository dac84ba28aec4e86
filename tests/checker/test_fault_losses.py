"""``lost-in-fault``: under a fault that strikes only idle connections, no operation may fail."""

from __future__ import annotations

from chaos.checker import CheckContext
from chaos.checker.fault_losses import FaultLossChecker
from chaos.workload.history import Kind, Operation, Phase, Result

from .builders import history, transfer

CONTEXT = CheckContext(recovery_deadline=3.0)


def between(*operations: Operation, between_transactions: bool = True):
    return history(*operations).with_meta(between_transactions=between_transactions)


def test_operations_failed_during_an_idle_fault_are_one_violation_naming_them() -> None:
    judged = between(
        transfer("w0-10", "unknown"),
        transfer("w0-3", "fail"),
        transfer("w0-4", "ok"),
        Operation("w3-3", 3, Kind.READ, Phase.FAULT, 1.0, 1.1, Result.UNKNOWN),
        transfer("w1-9", "unknown", phase=Phase.RECOVERY),  # after the heal: not this invariant
    )
    [violation] = FaultLossChecker().check(judged, None, CONTEXT)
    assert violation.kind == "lost-in-fault"
    assert violation.op_ids == ("w0-3", "w0-10", "w3-3")
    assert violation.detail.startswith("3 of 4 operations failed during a fault")


def test_a_fault_phase_without_failures_is_no_violation() -> None:
    judged = between(transfer("w0-3", "ok"), transfer("w1-3", "ok"))
    assert FaultLossChecker().check(judged, None, CONTEXT) == []


def test_failures_during_a_fault_that_strikes_transactions_are_not_judged_here() -> None:
    judged = between(transfer("w0-3", "unknown"), between_transactions=False)
    assert FaultLossChecker().check(judged, None, CONTEXT) == []
