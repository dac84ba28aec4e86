"""The checker (Jepsen's role of the same name): judges a history against the final state.

One module per invariant, each a :class:`Checker` (history, state, context -> violations);
:func:`compose` runs several as one, and a checker that raises becomes an ``unknown`` violation
instead of a crash. The named compositions are the checks the commands run: :data:`BANK_CHECKS`
(``check``, ``matrix``, the plugin), :data:`LIST_APPEND_CHECKS` (``check --workload
list-append``), and in app mode :data:`APP_CHECKS`, :data:`HTTP_CHECKS`
and :data:`CHECK_APP_CHECKS`. A checker reads a history and a state, nothing else, so a saved
run can be re-checked offline.
"""

from chaos.checker.app import APP_CHECKS, CHECK_APP_CHECKS, HTTP_CHECKS
from chaos.checker.check import BANK_CHECKS, LIST_APPEND_CHECKS, check, check_lists, check_record
from chaos.checker.compose import Composition, compose
from chaos.checker.protocol import CheckContext, Checker
from chaos.checker.result import CheckResult, Violation, ViolationKind

__all__ = [
    "APP_CHECKS",
    "BANK_CHECKS",
    "CHECK_APP_CHECKS",
    "HTTP_CHECKS",
    "LIST_APPEND_CHECKS",
    "CheckContext",
    "CheckResult",
    "Checker",
    "Composition",
    "Violation",
    "ViolationKind",
    "check",
    "check_lists",
    "check_record",
    "compose",
]
