"""Checkers composed into one, as Jepsen's ``checker/compose``; a composition is a checker too.

A checker that raises does not end the check: its invariant could not be judged, which is an
``unknown`` violation naming the checker and the exception, while every other member still
judges the history. The verdict then differs from any expectation, so the gate fails on it, and
the cell still reports everything else it proved.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from chaos.checker.protocol import CheckContext, Checker
from chaos.checker.result import CheckResult, Violation, ViolationKind
from chaos.checker.summary import summarize
from chaos.errors import one_line
from chaos.workload.history import History
from chaos.workload.state import BankState

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Composition:
    """Checkers run together under one name (``check``, ``app``, ``http``, ``check-app``)."""

    name: str
    members: tuple[Checker, ...]

    @property
    def member_names(self) -> tuple[str, ...]:
        return tuple(member.name for member in self.members)

    def check(
        self, history: History, state: BankState | None, context: CheckContext
    ) -> list[Violation]:
        """Every member's violations; a member that raised gives one ``unknown`` instead."""
        violations: list[Violation] = []
        for member in self.members:
            try:
                violations.extend(member.check(history, state, context))
            except Exception as e:  # a checker's bug is a result, like a cell's error
                log.debug("checker %s raised", member.name, exc_info=True)
                violations.append(
                    Violation(
                        ViolationKind.UNKNOWN, (), f"checker {member.name} raised {one_line(e)}"
                    )
                )
        return violations

    def judge(
        self, history: History, state: BankState | None, context: CheckContext
    ) -> CheckResult:
        """:meth:`check`, summarized: the result a cell reports."""
        return summarize(history, self.check(history, state, context))


def compose(name: str, *checkers: Checker) -> Composition:
    """One checker that runs ``checkers`` in turn; a duplicate member is a mistake."""
    names = [checker.name for checker in checkers]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"composition {name} lists {', '.join(duplicates)} twice")
    return Composition(name, tuple(checkers))
