"""Operations lost to a fault that strikes only between transactions (``lost-in-fault``).

An idle timeout, a middlebox that forgot an idle flow, a KILL of idle sessions: each strikes
connections at rest, never a statement in flight. A client that checks a connection before
using it (a ping at checkout, a recycle younger than the idle timeout) meets the dead connection
in the check and loses no operation; one that hands it out unchecked fails the operation that
gets it. Such failures are judged for these faults only (the history's meta says whether the
fault was one): one violation per cell, counting the operations of the fault phase that did
not succeed and naming them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from chaos.checker.protocol import CheckContext
from chaos.checker.result import Violation, ViolationKind, sorted_ids
from chaos.workload.history import History, Phase, Result
from chaos.workload.state import BankState


@dataclass(frozen=True)
class FaultLossChecker:
    name: ClassVar[str] = "fault-losses"

    def check(
        self, history: History, state: BankState | None, context: CheckContext
    ) -> list[Violation]:
        if not history.meta.between_transactions:
            return []
        during = history.in_phase(Phase.FAULT)
        failed = sorted_ids(op.op_id for op in during if op.result is not Result.OK)
        if not failed:
            return []
        return [
            Violation(
                ViolationKind.FAULT_LOSS,
                failed,
                f"{len(failed)} of {len(during)} operations failed during a fault that strikes "
                f"only idle connections: {', '.join(failed)}",
            )
        ]
