"""No stale read: a read sees every transfer acknowledged before it began (``stale-read``).

Each bank read counts the ledger's rows in its own snapshot (``moves_seen``). A transfer
acknowledged ``ok`` before a read was invoked is committed, so a read of the primary counts it;
a read that counts fewer than the transfers acknowledged before it began was answered by a
server that had not applied them yet: a replica lagging behind its primary. Transfers of
unknown outcome or applied twice only add rows, so the count of ``ok`` ones is a lower bound
and a stale read is never inferred from them.

Any worker's transfers count, not only the reader's own: a client that splits reads must not
show one thread's acknowledged write as missing to another (the app already told someone it
happened). One violation per stale read, naming it and the newest transfer it missed.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import ClassVar

from chaos.checker.protocol import CheckContext
from chaos.checker.result import Violation, ViolationKind
from chaos.workload.history import History, Kind, Operation, Result
from chaos.workload.state import BankState


@dataclass(frozen=True)
class StaleReadChecker:
    name: ClassVar[str] = "stale-read"

    def check(
        self, history: History, state: BankState | None, context: CheckContext
    ) -> list[Violation]:
        acknowledged = sorted(
            (op for op in history.transfers() if op.result is Result.OK),
            key=lambda op: op.complete,
        )
        completions = [op.complete for op in acknowledged]
        violations = []
        for read in _counted_reads(history):
            assert read.moves_seen is not None
            before = bisect.bisect_left(completions, read.invoke)
            if read.moves_seen < before:
                missed = acknowledged[before - 1]
                violations.append(
                    Violation(
                        ViolationKind.STALE_READ,
                        (read.op_id, missed.op_id),
                        f"{read.op_id} saw {read.moves_seen} transfers, {before} had been "
                        f"acknowledged before it began (the last of them, {missed.op_id}, "
                        f"{read.invoke - missed.complete:.3f} s before)",
                    )
                )
        return violations


def _counted_reads(history: History) -> list[Operation]:
    """The ``ok`` reads that counted the transfers they saw."""
    return [
        op
        for op in history.operations
        if op.kind is Kind.READ and op.result is Result.OK and op.moves_seen is not None
    ]
