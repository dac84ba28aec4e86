"""The bank's final state as plain data: balances, per-account move tokens, ledger rows.

Read once, after healing, by :func:`chaos.workload.bank.read_state`; judged by the checker; saved
beside the history so a run can be re-checked offline. No database access here.

Each account's ``moves`` column is an append-only log written by the very UPDATE that changes the
balance, so a balance change and its token are atomic with each other. Tokens:

- ``=1000;``       the opening balance (written by ``create_schema``);
- ``-w2-17:5;``    op ``w2-17`` debited 5;
- ``+w2-17:5;``    op ``w2-17`` credited 5.

The amount is in the token so the state alone says what every balance should be.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

TOKEN_END = ";"
AMOUNT_SEPARATOR = ":"
OPENING = "="
DEBIT = "-"
CREDIT = "+"


def opening_token(balance: int) -> str:
    return f"{OPENING}{balance}{TOKEN_END}"


def move_token(sign: str, op_id: str, amount: int) -> str:
    if sign not in (DEBIT, CREDIT):
        raise ValueError(f"a move's sign is {DEBIT!r} or {CREDIT!r}, not {sign!r}")
    return f"{sign}{op_id}{AMOUNT_SEPARATOR}{amount}{TOKEN_END}"


@dataclass(frozen=True)
class Move:
    """One balance change named by the operation that made it; ``delta`` is signed."""

    op_id: str
    delta: int

    @property
    def sign(self) -> str:
        return DEBIT if self.delta < 0 else CREDIT


@dataclass(frozen=True)
class ParsedMoves:
    """An account's ``moves`` column, parsed: its opening balance and every move since."""

    opening: int | None
    moves: tuple[Move, ...]


def parse_moves(text: str) -> ParsedMoves:
    """Parse a ``moves`` column; a malformed token is a bug in the writer, so it raises."""
    if text and not text.endswith(TOKEN_END):
        raise ValueError(f"moves do not end with {TOKEN_END!r}: {text!r}")
    opening: int | None = None
    moves: list[Move] = []
    # Every token ends with TOKEN_END, so the last piece of the split is always empty.
    for token in text.split(TOKEN_END)[:-1]:
        if not token:
            raise ValueError(f"empty token in moves {text!r}")
        sign, rest = token[0], token[1:]
        if sign == OPENING:
            if opening is not None:
                raise ValueError(f"two opening tokens in moves {text!r}")
            opening = int(rest)
        elif sign in (DEBIT, CREDIT):
            op_id, separator, amount = rest.rpartition(AMOUNT_SEPARATOR)
            if not separator or not op_id:
                raise ValueError(f"malformed move token {token!r}")
            moves.append(Move(op_id, -int(amount) if sign == DEBIT else int(amount)))
        else:
            raise ValueError(f"unknown move token {token!r}")
    return ParsedMoves(opening, tuple(moves))


@dataclass(frozen=True)
class AccountState:
    """One ``accounts`` row; ``moves`` is kept as stored, so nothing is lost before judging."""

    id: int
    balance: int
    moves: str

    def parsed(self) -> ParsedMoves:
        return parse_moves(self.moves)


@dataclass(frozen=True)
class LedgerRow:
    """One ``ledger`` row: a transfer claims to have been applied once per row."""

    seq: int
    op_id: str
    from_id: int | None
    to_id: int | None
    amount: int | None


@dataclass(frozen=True)
class BankState:
    """The whole bank at one instant (read in one consistent snapshot)."""

    accounts: tuple[AccountState, ...]
    ledger: tuple[LedgerRow, ...]

    @property
    def total(self) -> int:
        return sum(account.balance for account in self.accounts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "accounts": [
                {"id": a.id, "balance": a.balance, "moves": a.moves} for a in self.accounts
            ],
            "ledger": [
                {
                    "seq": r.seq,
                    "op_id": r.op_id,
                    "from_id": r.from_id,
                    "to_id": r.to_id,
                    "amount": r.amount,
                }
                for r in self.ledger
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BankState:
        return cls(
            accounts=tuple(AccountState(**row) for row in data["accounts"]),
            ledger=tuple(LedgerRow(**row) for row in data["ledger"]),
        )
