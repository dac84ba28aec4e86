"""Recovery: after the heal, some operation succeeds within the deadline (``not-recovered``).

Recovery time is heal -> completion of the first ``ok`` operation invoked after the heal.
"""

from __future__ import annotations

from chaos.checker.result import Violation, ViolationKind, sorted_ids
from chaos.workload.history import History, Result


def recovery_seconds(history: History) -> float | None:
    """Seconds from heal to the first success after it; None without a heal or a success."""
    heal = history.meta.heal_time
    if heal is None:
        return None
    completions = [
        op.complete for op in history.operations if op.invoke >= heal and op.result is Result.OK
    ]
    return min(completions) - heal if completions else None


def check_recovery(history: History, recovery_deadline: float) -> list[Violation]:
    heal = history.meta.heal_time
    if heal is None:
        return []
    seconds = recovery_seconds(history)
    if seconds is not None and seconds <= recovery_deadline:
        return []
    # The proof: every attempt made after the heal, within the deadline, and none of them ok.
    attempts = [
        op
        for op in history.operations
        if heal <= op.invoke <= heal + recovery_deadline and op.result is not Result.OK
    ]
    tally = ", ".join(
        f"{sum(op.result is result for op in attempts)} {result}"
        for result in (Result.FAIL, Result.UNKNOWN)
    )
    if not attempts:
        what = "no operation was attempted"
    else:
        what = f"{len(attempts)} attempt(s) ({tally}) all failed"
    late = f"; first success after {seconds:.3f}s" if seconds is not None else ""
    return [
        Violation(
            ViolationKind.NOT_RECOVERED,
            sorted_ids(op.op_id for op in attempts),
            f"nothing succeeded within {recovery_deadline:g}s of the heal: {what}{late}",
        )
    ]
