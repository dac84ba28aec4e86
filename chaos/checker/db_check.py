"""The user's own database check (``check-app --db-check``) said no after the heal (``db-check``).

The check itself ran against the live database, where only the runner may go; what it answered
is in the context, so this checker, like every other, judges what the run recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from chaos.checker.protocol import CheckContext
from chaos.checker.result import Violation, ViolationKind
from chaos.workload.history import History
from chaos.workload.state import BankState


@dataclass(frozen=True)
class DatabaseCheckChecker:
    name: ClassVar[str] = "db-check"

    def check(
        self, history: History, state: BankState | None, context: CheckContext
    ) -> list[Violation]:
        if context.db_check_failure is None:
            return []
        return [Violation(ViolationKind.DB_CHECK, (), context.db_check_failure)]
