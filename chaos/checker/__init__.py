"""The checker (Jepsen's role of the same name): judges a history against the final state.

One module per invariant; :func:`check` composes them. A checker reads a history and a state,
nothing else, so a saved run can be re-checked offline.
"""

from chaos.checker.check import check, check_record
from chaos.checker.result import CheckResult, Violation, ViolationKind

__all__ = ["CheckResult", "Violation", "ViolationKind", "check", "check_record"]
