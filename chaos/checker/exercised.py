"""The fault struck the code under test (``unexercised`` when it says it did not).

A cell whose fault never reached the client proved nothing, however green its other
invariants are: a write-striking toxic against an app that only reads, a KILL with no session
to kill. The fault says what it did on inject and on heal (:class:`~chaos.fault_effect.
FaultEffect`), the history keeps both, and this checker reads them, like every other checker,
from the history alone. A fault that cannot tell (``struck`` None: a real Toxiproxy counts
nothing) is not judged unexercised: unknown is not false.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from chaos.checker.protocol import CheckContext
from chaos.checker.result import Violation, ViolationKind
from chaos.fault_effect import combined
from chaos.workload.history import History
from chaos.workload.state import BankState


def never_struck(fault: str, detail: str) -> str:
    """The one line every front end says of a fault that did not strike."""
    return f"fault {fault} never struck the code under test: {detail}"


@dataclass(frozen=True)
class ExercisedChecker:
    name: ClassVar[str] = "exercised"

    def check(
        self, history: History, state: BankState | None, context: CheckContext
    ) -> list[Violation]:
        meta = history.meta
        effect = combined(meta.inject_effect, meta.heal_effect)
        if effect is None or effect.struck is not False:
            return []
        return [Violation(ViolationKind.UNEXERCISED, (), never_struck(meta.fault, effect.detail))]
