"""No hang: no operation outlives the hard deadline (``hang``).

A strategy with no read timeout on a half-open server waits forever; the driver stops waiting
at the hard deadline and records the operation as hung.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from chaos.checker.protocol import CheckContext
from chaos.checker.result import Violation, ViolationKind
from chaos.workload.history import History
from chaos.workload.state import BankState


@dataclass(frozen=True)
class HangChecker:
    name: ClassVar[str] = "hang"

    def check(
        self, history: History, state: BankState | None, context: CheckContext
    ) -> list[Violation]:
        deadline = history.meta.hard_deadline
        return [
            Violation(
                ViolationKind.HANG,
                (op.op_id,),
                f"{op.op_id} ({op.kind}, {op.phase} phase) did not complete within the "
                f"{deadline:g}s hard deadline",
            )
            for op in history.operations
            if op.hung or op.duration > deadline
        ]
