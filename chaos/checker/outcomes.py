"""Honest outcomes: every ``ok`` transfer was applied, every ``fail`` was not.

``lost-ack``: the client was told it happened and it did not (not even partly).
``false-failure``: the client was told it certainly did not happen and some of it did.
``unknown`` may go either way: that is what it means.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from chaos.checker.evidence import OperationEvidence, gather
from chaos.checker.protocol import CheckContext, bank_state
from chaos.checker.result import Violation, ViolationKind
from chaos.workload.history import History, Result
from chaos.workload.state import BankState


@dataclass(frozen=True)
class OutcomesChecker:
    name: ClassVar[str] = "outcomes"

    def check(
        self, history: History, state: BankState | None, context: CheckContext
    ) -> list[Violation]:
        return _dishonest_outcomes(history, gather(bank_state(state, self.name)))


def _dishonest_outcomes(
    history: History, evidence: Mapping[str, OperationEvidence]
) -> list[Violation]:
    violations = []
    for op in history.transfers():
        found = evidence.get(op.op_id)
        applied = found is not None and found.applied
        if op.result is Result.OK and not applied:
            violations.append(
                Violation(
                    ViolationKind.LOST_ACK,
                    (op.op_id,),
                    f"{op.op_id} was acknowledged ok but is not in the database",
                )
            )
        elif op.result is Result.FAIL and applied:
            assert found is not None
            violations.append(
                Violation(
                    ViolationKind.FALSE_FAILURE,
                    (op.op_id,),
                    f"{op.op_id} was reported as failed but was applied: {found.summary()}"
                    + (f" (error: {op.error})" if op.error else ""),
                )
            )
    return violations
