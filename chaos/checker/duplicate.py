"""No duplicate: each operation id is applied at most once (``duplicate``).

The balance total cannot see a transfer applied twice (it conserves money each time); the
per-operation tokens and the non-unique ledger can.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from chaos.checker.evidence import gather
from chaos.checker.protocol import CheckContext, bank_state
from chaos.checker.result import Violation, ViolationKind
from chaos.workload.history import History
from chaos.workload.state import BankState


@dataclass(frozen=True)
class DuplicateChecker:
    name: ClassVar[str] = "duplicate"

    def check(
        self, history: History, state: BankState | None, context: CheckContext
    ) -> list[Violation]:
        evidence = gather(bank_state(state, self.name))
        return [
            Violation(
                ViolationKind.DUPLICATE,
                (op_id,),
                f"{op_id} applied {e.copies} times: {e.summary()}",
            )
            for op_id, e in evidence.items()
            if e.copies > 1
        ]
