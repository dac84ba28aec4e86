"""A history and its violations become one :class:`CheckResult`: sorted, counted, timed."""

from __future__ import annotations

from collections.abc import Iterable

from chaos.checker.recovery import (
    recovered_after_heal,
    recovered_after_inject,
    recovery_from_fault_seconds,
    recovery_seconds,
    slowest_recovery_seconds,
)
from chaos.checker.result import CheckResult, Violation, ViolationKind, natural_key
from chaos.workload.history import History, Result

_ORDER = {kind: index for index, kind in enumerate(ViolationKind)}


def summarize(history: History, violations: Iterable[Violation]) -> CheckResult:
    """The result for ``history`` with ``violations``, sorted by kind, then op ids."""
    ordered = sorted(
        violations, key=lambda v: (_ORDER[v.kind], [natural_key(i) for i in v.op_ids], v.detail)
    )
    results = [op.result for op in history.operations]
    return CheckResult(
        violations=tuple(ordered),
        recovery_seconds=recovery_seconds(history),
        failed_ops=results.count(Result.FAIL),
        unknown_ops=results.count(Result.UNKNOWN),
        ok_ops=results.count(Result.OK),
        slowest_recovery_seconds=slowest_recovery_seconds(history),
        recovery_from_fault_seconds=recovery_from_fault_seconds(history),
        recovered_after_inject=recovered_after_inject(history),
        recovered_after_heal=recovered_after_heal(history),
    )
