"""The checks of app mode: the bank's invariants plus HTTP ones, or HTTP ones alone.

:func:`check_app` judges the seed's app: everything :func:`~chaos.checker.check.check` proves
from the database, plus :mod:`chaos.checker.settled`. :func:`check_http` judges a user's app
from HTTP alone (recovery per client, hangs, settled) plus, when the user gave one, the outcome
of their own database check.
"""

from __future__ import annotations

from chaos.checker.check import check, summarize
from chaos.checker.hang import check_hangs
from chaos.checker.recovery import check_recovery
from chaos.checker.result import CheckResult, Violation, ViolationKind
from chaos.checker.settled import check_settled
from chaos.workload.history import History
from chaos.workload.state import BankState


def check_app(
    history: History, state: BankState, *, initial_total: int, recovery_deadline: float
) -> CheckResult:
    bank = check(history, state, initial_total=initial_total, recovery_deadline=recovery_deadline)
    return summarize(history, [*bank.violations, *check_settled(history, recovery_deadline)])


def check_http(
    history: History, *, recovery_deadline: float, db_check_failure: str | None = None
) -> CheckResult:
    """``db_check_failure``: why the user's database check said no (``None``: it said yes,
    or there was none)."""
    violations = [
        *check_recovery(history, recovery_deadline),
        *check_hangs(history),
        *check_settled(history, recovery_deadline),
    ]
    if db_check_failure is not None:
        violations.append(Violation(ViolationKind.DB_CHECK, (), db_check_failure))
    return summarize(history, violations)
