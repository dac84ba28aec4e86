"""The checker of an in-process cell, ``check`` and ``matrix``: every invariant of the bank.

It reads nothing else (no database): the same call judges a live run and a history re-loaded
from JSON lines.
"""

from __future__ import annotations

from chaos.checker.atomic import AtomicChecker
from chaos.checker.compose import compose
from chaos.checker.connect_storm import ConnectStormChecker
from chaos.checker.drift import DriftChecker
from chaos.checker.duplicate import DuplicateChecker
from chaos.checker.exercised import ExercisedChecker
from chaos.checker.fault_losses import FaultLossChecker
from chaos.checker.hang import HangChecker
from chaos.checker.list_append import ListAppendChecker
from chaos.checker.outcomes import OutcomesChecker
from chaos.checker.protocol import CheckContext
from chaos.checker.recovery import RecoveryChecker
from chaos.checker.result import CheckResult
from chaos.checker.stale_read import StaleReadChecker
from chaos.workload.history import History, RunRecord
from chaos.workload.list_state import ListState
from chaos.workload.state import BankState

#: The bank's invariants: what a history and the bank's final state prove.
BANK_CHECKS = compose(
    "check",
    AtomicChecker(),
    DuplicateChecker(),
    OutcomesChecker(),
    RecoveryChecker(),
    HangChecker(),
    ConnectStormChecker(),
    FaultLossChecker(),
    ExercisedChecker(),
    DriftChecker(),
    StaleReadChecker(),
)


#: The list-append workload's: our own list checks and every invariant that is not the bank's.
LIST_APPEND_CHECKS = compose(
    "list-append",
    ListAppendChecker(),
    RecoveryChecker(),
    HangChecker(),
    FaultLossChecker(),
    ExercisedChecker(),
)


def check(
    history: History,
    state: BankState,
    *,
    initial_total: int,
    recovery_deadline: float,
) -> CheckResult:
    """:data:`BANK_CHECKS` judging one run."""
    context = CheckContext(recovery_deadline, initial_total=initial_total)
    return BANK_CHECKS.judge(history, state, context)


def check_lists(history: History, lists: ListState, *, recovery_deadline: float) -> CheckResult:
    """:data:`LIST_APPEND_CHECKS` judging one list-append run."""
    context = CheckContext(recovery_deadline)
    return LIST_APPEND_CHECKS.judge(history, lists, context)  # type: ignore[arg-type]


def check_record(record: RunRecord) -> CheckResult:
    """Re-check a saved run offline, with the totals and deadline its metadata recorded."""
    meta = record.history.meta
    if meta.workload == "list-append":
        if record.lists is None or meta.recovery_deadline is None:
            raise ValueError("the list-append record lacks its final lists or recovery_deadline")
        return check_lists(record.history, record.lists, recovery_deadline=meta.recovery_deadline)
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
