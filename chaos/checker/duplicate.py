"""No duplicate: each operation id is applied at most once (``duplicate``).

The balance total cannot see a transfer applied twice (it conserves money each time); the
per-operation tokens and the non-unique ledger can.
"""

from __future__ import annotations

from collections.abc import Mapping

from chaos.checker.evidence import OperationEvidence
from chaos.checker.result import Violation, ViolationKind


def check_duplicates(evidence: Mapping[str, OperationEvidence]) -> list[Violation]:
    return [
        Violation(
            ViolationKind.DUPLICATE,
            (op_id,),
            f"{op_id} applied {e.copies} times: {e.summary()}",
        )
        for op_id, e in evidence.items()
        if e.copies > 1
    ]
