"""The one shape every checker has: a history, a state and a context in, violations out.

As Jepsen's ``checker/Checker``: a checker reads what the run recorded (the history, the bank's
final state when there is a bank) and the few numbers its invariant is judged against (the
context), nothing else, so a saved run can be re-checked offline. Checkers compose
(:mod:`chaos.checker.compose`); the named compositions are the checks the commands run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from chaos.checker.result import Violation
from chaos.workload.history import History
from chaos.workload.state import BankState


@dataclass(frozen=True)
class CheckContext:
    """What some checkers need beyond the history and the state, as one value."""

    #: Every worker must have succeeded within this many seconds of the heal.
    recovery_deadline: float
    #: The bank's total when the run started (None without a bank: HTTP-only app mode).
    initial_total: int | None = None
    #: Why the user's own database check said no (None: it said yes, or there was none). The
    #: check ran against the live database; its answer is recorded here like the state is.
    db_check_failure: str | None = None


class Checker(Protocol):
    """One invariant. ``name`` is what a composition lists and what an ``unknown`` result
    names when :meth:`check` raised."""

    @property
    def name(self) -> str: ...

    def check(
        self, history: History, state: BankState | None, context: CheckContext
    ) -> list[Violation]: ...


def bank_state(state: BankState | None, checker: str) -> BankState:
    """``state`` for a checker that judges the bank; raises when the run has none."""
    if state is None:
        raise ValueError(f"{checker} judges the bank's final state and the run has none")
    return state


def opening_total(context: CheckContext, checker: str) -> int:
    """The bank's opening total for a checker that needs it; raises when it is not known."""
    if context.initial_total is None:
        raise ValueError(f"{checker} needs the bank's opening total and the context has none")
    return context.initial_total
