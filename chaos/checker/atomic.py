"""Atomicity: money is conserved and every transfer happened all-or-nothing (``partial``).

Four views of the same invariant, each catching what the others might miss:

- the total of all balances equals the initial total (Jepsen's bank check);
- each account's balance equals its opening balance plus the moves its tokens record, so a
  balance changed without a token (or a token without its change) is caught on that account;
- each operation's debits, credits and ledger rows match one for one (a committed debit
  without its credit, or a ledger row without both moves);
- every ``ok`` read saw the initial total (a read never sees half a transfer).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from chaos.checker.evidence import OperationEvidence, gather
from chaos.checker.protocol import CheckContext, bank_state, opening_total
from chaos.checker.result import Violation, ViolationKind, sorted_ids
from chaos.workload.history import History, Kind, Result
from chaos.workload.state import BankState

PARTIAL = ViolationKind.PARTIAL


def check_total(
    state: BankState, evidence: Mapping[str, OperationEvidence], initial_total: int
) -> list[Violation]:
    if state.total == initial_total:
        return []
    # The operations that are not whole are what broke the total, when there are any.
    suspects = sorted_ids(op_id for op_id, e in evidence.items() if not e.whole)
    return [
        Violation(
            PARTIAL,
            suspects,
            f"total balance {state.total}, expected {initial_total} "
            f"(off by {state.total - initial_total:+d})",
        )
    ]


def check_accounts(state: BankState) -> list[Violation]:
    violations = []
    for account in state.accounts:
        parsed = account.parsed()
        op_ids = sorted_ids(move.op_id for move in parsed.moves)
        if parsed.opening is None:
            violations.append(
                Violation(PARTIAL, op_ids, f"account {account.id} has no opening balance token")
            )
            continue
        expected = parsed.opening + sum(move.delta for move in parsed.moves)
        if account.balance != expected:
            violations.append(
                Violation(
                    PARTIAL,
                    op_ids,
                    f"account {account.id}: balance {account.balance}, but its moves add up "
                    f"to {expected} (a balance change without its token, or the reverse)",
                )
            )
    return violations


def check_operations(evidence: Mapping[str, OperationEvidence]) -> list[Violation]:
    return [
        Violation(PARTIAL, (op_id,), f"{op_id} not all-or-nothing: {e.summary()}")
        for op_id, e in evidence.items()
        if not e.whole
    ]


def check_reads(history: History, initial_total: int) -> list[Violation]:
    return [
        Violation(
            PARTIAL,
            (op.op_id,),
            f"read {op.op_id} saw total {op.read_total}, expected {initial_total}",
        )
        for op in history.operations
        if op.kind is Kind.READ
        and op.result is Result.OK
        and op.read_total is not None
        and op.read_total != initial_total
    ]


@dataclass(frozen=True)
class AtomicChecker:
    name: ClassVar[str] = "atomic"

    def check(
        self, history: History, state: BankState | None, context: CheckContext
    ) -> list[Violation]:
        state = bank_state(state, self.name)
        initial_total = opening_total(context, self.name)
        evidence = gather(state)
        return [
            *check_total(state, evidence, initial_total),
            *check_accounts(state),
            *check_operations(evidence),
            *check_reads(history, initial_total),
        ]
