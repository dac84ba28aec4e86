"""What each worker does next (Jepsen's generator): deterministic, so every run is the same.

Worker ``w`` owns accounts ``2w+1`` and ``2w+2`` and moves money only between them, alternating
direction, so no two workers ever lock the same rows: no lock wait (1205) or deadlock (1213)
between workers can make a cell's outcome depend on timing. Reads see every account; InnoDB's
plain SELECT takes no row locks, so they cannot conflict either.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chaos.workload.history import Kind

#: One read after every ``READ_EVERY - 1`` transfers (3:1).
READ_EVERY = 4
MAX_AMOUNT = 9


def accounts_for_worker(worker: int) -> tuple[int, int]:
    return 2 * worker + 1, 2 * worker + 2


def accounts_needed(workers: int) -> int:
    return 2 * workers


@dataclass(frozen=True)
class PlannedOperation:
    """An operation about to be invoked."""

    op_id: str
    worker: int
    kind: Kind
    from_id: int | None = None
    to_id: int | None = None
    amount: int | None = None
    #: A list-append transaction's micro-ops (:mod:`chaos.workload.list_append`).
    txn: tuple[tuple[str, int, Any], ...] | None = None


class WorkerPlan:
    """The sequence of operations one worker issues over a whole cell (ids ``w<w>-<n>``)."""

    def __init__(self, worker: int) -> None:
        self.worker = worker
        self._issued = 0
        self._transfers = 0

    def next_operation(self, kind: Kind | None = None) -> PlannedOperation:
        """The next operation; ``kind`` forces one (the fault phase wants transfers only)."""
        self._issued += 1
        number = self._issued
        if kind is None:
            kind = Kind.READ if number % READ_EVERY == 0 else Kind.TRANSFER
        op_id = f"w{self.worker}-{number}"
        if kind is Kind.READ:
            return PlannedOperation(op_id, self.worker, kind)
        low, high = accounts_for_worker(self.worker)
        from_id, to_id = (low, high) if self._transfers % 2 == 0 else (high, low)
        self._transfers += 1
        amount = 1 + (number - 1) % MAX_AMOUNT
        return PlannedOperation(op_id, self.worker, kind, from_id, to_id, amount)
