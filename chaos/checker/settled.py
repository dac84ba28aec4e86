"""Settled: once the recovery deadline after the heal has passed, every request succeeds.

An app mode invariant (``still-failing``). A threaded WSGI server hands requests to its threads
in turn, so a thread whose connection never recovered shows as a steady share of failing
requests among successful ones: the per-worker recovery check (:mod:`chaos.checker.recovery`)
passes as soon as each HTTP client has one success, this one does not. Every operation invoked
in the settle window (from ``heal + recovery_deadline`` on) must be ``ok``; the violation names
the ones that were not and their share.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import ClassVar

from chaos.checker.protocol import CheckContext
from chaos.checker.result import Violation, ViolationKind, sorted_ids
from chaos.workload.history import History, Result
from chaos.workload.state import BankState


@dataclass(frozen=True)
class SettledChecker:
    name: ClassVar[str] = "settled"

    def check(
        self, history: History, state: BankState | None, context: CheckContext
    ) -> list[Violation]:
        return _still_failing(history, context.recovery_deadline)


def _still_failing(history: History, recovery_deadline: float) -> list[Violation]:
    heal = history.meta.heal_time
    if heal is None:
        return []
    window = [op for op in history.operations if op.invoke >= heal + recovery_deadline]
    failing = [op for op in window if op.result is not Result.OK]
    if not failing:
        return []
    answers = Counter(op.error_kind or str(op.result) for op in failing)
    tally = ", ".join(f"{count} {kind}" for kind, count in sorted(answers.items()))
    return [
        Violation(
            ViolationKind.STILL_FAILING,
            sorted_ids(op.op_id for op in failing),
            f"{len(failing)} of {len(window)} requests invoked {recovery_deadline:g}s or more "
            f"after the heal failed ({100 * len(failing) / len(window):.0f}%: {tally})",
        )
    ]
