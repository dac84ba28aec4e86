"""What the final state proves about each operation: its debits, credits and ledger rows.

Gathered from the state by each checker that asks "was it applied, how often, and
completely?" (atomic, duplicate, outcomes): each stays one checker of the one signature, and
gathering is cheap (well under a millisecond for a cell's state).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from chaos.workload.state import BankState, LedgerRow


@dataclass(frozen=True)
class AppliedMove:
    """A move token found on ``account``; ``amount`` is positive."""

    account: int
    amount: int


@dataclass(frozen=True)
class OperationEvidence:
    op_id: str
    debits: tuple[AppliedMove, ...] = ()
    credits: tuple[AppliedMove, ...] = ()
    ledger: tuple[LedgerRow, ...] = ()

    @property
    def applied(self) -> bool:
        """Any trace at all: the operation (or some part of it) happened."""
        return bool(self.debits or self.credits or self.ledger)

    @property
    def copies(self) -> int:
        """How many times the most-repeated part of the operation was applied."""
        return max(len(self.debits), len(self.credits), len(self.ledger))

    @property
    def whole(self) -> bool:
        """Every ledger row has its debit and its credit, and nothing else is there."""
        debits = Counter((move.account, move.amount) for move in self.debits)
        credits = Counter((move.account, move.amount) for move in self.credits)
        ledger_from = Counter((row.from_id, row.amount) for row in self.ledger)
        ledger_to = Counter((row.to_id, row.amount) for row in self.ledger)
        return debits == ledger_from and credits == ledger_to

    def summary(self) -> str:
        return (
            f"{len(self.debits)} debit(s), {len(self.credits)} credit(s), "
            f"{len(self.ledger)} ledger row(s)"
        )


def gather(state: BankState) -> dict[str, OperationEvidence]:
    """Evidence for every operation id the state mentions."""
    debits: dict[str, list[AppliedMove]] = {}
    credits: dict[str, list[AppliedMove]] = {}
    ledger: dict[str, list[LedgerRow]] = {}
    for account in state.accounts:
        for move in account.parsed().moves:
            target = debits if move.delta < 0 else credits
            target.setdefault(move.op_id, []).append(AppliedMove(account.id, abs(move.delta)))
    for row in state.ledger:
        ledger.setdefault(row.op_id, []).append(row)
    return {
        op_id: OperationEvidence(
            op_id,
            tuple(debits.get(op_id, ())),
            tuple(credits.get(op_id, ())),
            tuple(ledger.get(op_id, ())),
        )
        for op_id in {*debits, *credits, *ledger}
    }
