"""The checker: one history and one final state in, every invariant's verdict out.

It reads nothing else (no database): the same call judges a live run and a history re-loaded
from JSON lines.
"""

from __future__ import annotations

from chaos.checker.atomic import check_atomic
from chaos.checker.duplicate import check_duplicates
from chaos.checker.evidence import gather
from chaos.checker.hang import check_hangs
from chaos.checker.outcomes import check_outcomes
from chaos.checker.recovery import (
    check_recovery,
    recovered_after_heal,
    recovered_after_inject,
    recovery_from_fault_seconds,
    recovery_seconds,
    slowest_recovery_seconds,
)
from chaos.checker.result import CheckResult, Violation, ViolationKind, natural_key
from chaos.workload.history import History, Result, RunRecord
from chaos.workload.state import BankState

_ORDER = {kind: index for index, kind in enumerate(ViolationKind)}


def check(
    history: History,
    state: BankState,
    *,
    initial_total: int,
    recovery_deadline: float,
) -> CheckResult:
    evidence = gather(state)
    violations: list[Violation] = [
        *check_atomic(history, state, evidence, initial_total),
        *check_duplicates(evidence),
        *check_outcomes(history, evidence),
        *check_recovery(history, recovery_deadline),
        *check_hangs(history),
    ]
    violations.sort(key=lambda v: (_ORDER[v.kind], [natural_key(i) for i in v.op_ids], v.detail))
    results = [op.result for op in history.operations]
    return CheckResult(
        violations=tuple(violations),
        recovery_seconds=recovery_seconds(history),
        failed_ops=results.count(Result.FAIL),
        unknown_ops=results.count(Result.UNKNOWN),
        ok_ops=results.count(Result.OK),
        slowest_recovery_seconds=slowest_recovery_seconds(history),
        recovery_from_fault_seconds=recovery_from_fault_seconds(history),
        recovered_after_inject=recovered_after_inject(history),
        recovered_after_heal=recovered_after_heal(history),
    )


def check_record(record: RunRecord) -> CheckResult:
    """Re-check a saved run offline, with the totals and deadline its metadata recorded."""
    meta = record.history.meta
    if record.state is None:
        raise ValueError("the record has no final state to check against")
    if meta.initial_total is None or meta.recovery_deadline is None:
        raise ValueError("the record's metadata lacks initial_total or recovery_deadline")
    return check(
        record.history,
        record.state,
        initial_total=meta.initial_total,
        recovery_deadline=meta.recovery_deadline,
    )
