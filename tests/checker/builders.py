"""Histories written by hand and bank states built in memory, for the checker tests.

The checker reads only a history and a state, so most of its tests need no server: a
:class:`MemoryBank` writes the state the bank's SQL would leave. ``test_real_state.py`` proves the
two agree, with the SQL helpers at the end of this module run against a real bank.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from chaos.checker import CheckResult, check
from chaos.settings import ConnectionSettings
from chaos.workload.bank import DEBIT_SQL, transfer_unit
from chaos.workload.history import CellMeta, History, Kind, Operation, Phase, Result
from chaos.workload.state import (
    CREDIT,
    DEBIT,
    AccountState,
    BankState,
    LedgerRow,
    move_token,
    opening_token,
)

from .conftest import ACCOUNTS, INITIAL_BALANCE, INITIAL_TOTAL, connect

HARD_DEADLINE = 5.0


def transfer(
    op_id: str,
    result: Result | str,
    *,
    invoke: float = 1.0,
    complete: float | None = None,
    phase: Phase | str = Phase.FAULT,
    error: str | None = None,
) -> Operation:
    return Operation(
        op_id,
        0,
        Kind.TRANSFER,
        Phase(phase),
        invoke,
        invoke + 0.01 if complete is None else complete,
        Result(result),
        error=error,
        from_id=1,
        to_id=2,
        amount=5,
    )


def read(op_id: str, result: Result | str, total: int | None, *, invoke: float = 1.0) -> Operation:
    return Operation(
        op_id, 0, Kind.READ, Phase.WARMUP, invoke, invoke + 0.01, Result(result), read_total=total
    )


def history(*operations: Operation, heal_time: float | None = None) -> History:
    return History(CellMeta("hand", "written", HARD_DEADLINE, heal_time=heal_time), operations)


@dataclass
class MemoryBank:
    """A bank's state as plain data, changed the way the bank's statements change it.

    Each method mirrors SQL: :meth:`transfer` the debit, credit and ledger row of
    ``transfer_unit`` committed together; :meth:`debit_only` its first statement alone.
    """

    balances: dict[int, int] = field(
        default_factory=lambda: dict.fromkeys(range(1, ACCOUNTS + 1), INITIAL_BALANCE)
    )
    moves: dict[int, str] = field(
        default_factory=lambda: {
            account: opening_token(INITIAL_BALANCE) for account in range(1, ACCOUNTS + 1)
        }
    )
    ledger: list[LedgerRow] = field(default_factory=list)

    def move(self, sign: str, op_id: str, account: int, amount: int) -> None:
        """One balance UPDATE with its token (``DEBIT_SQL`` / ``CREDIT_SQL``)."""
        self.balances[account] += -amount if sign == DEBIT else amount
        self.moves[account] += move_token(sign, op_id, amount)

    def add_ledger_row(self, op_id: str, from_id: int, to_id: int, amount: int) -> None:
        """``LEDGER_SQL``: seq is AUTO_INCREMENT from 1."""
        self.ledger.append(LedgerRow(len(self.ledger) + 1, op_id, from_id, to_id, amount))

    def transfer(
        self, op_id: str, times: int = 1, from_id: int = 1, to_id: int = 2, amount: int = 5
    ) -> None:
        """Transfer ``op_id`` committed ``times`` times over (the defaults of ``transfer``)."""
        for _ in range(times):
            self.move(DEBIT, op_id, from_id, amount)
            self.move(CREDIT, op_id, to_id, amount)
            self.add_ledger_row(op_id, from_id, to_id, amount)

    def debit_only(self, op_id: str, from_id: int = 1, amount: int = 5) -> None:
        """The half-applied transfer: only the debit got committed."""
        self.move(DEBIT, op_id, from_id, amount)

    def change_balance(self, account: int, delta: int) -> None:
        """A balance changed without a token (``UPDATE accounts SET balance = ...``)."""
        self.balances[account] += delta

    def append_token(self, account: int, token: str) -> None:
        """A token written without its balance change (``moves = CONCAT(moves, ...)``)."""
        self.moves[account] += token

    def set_ledger_amount(self, op_id: str, amount: int) -> None:
        self.ledger = [replace(r, amount=amount) if r.op_id == op_id else r for r in self.ledger]

    def state(self) -> BankState:
        accounts = tuple(
            AccountState(account, self.balances[account], self.moves[account])
            for account in sorted(self.balances)
        )
        return BankState(accounts=accounts, ledger=tuple(self.ledger))


def judge(
    bank: MemoryBank | BankState, judged: History, recovery_deadline: float = 5.0
) -> CheckResult:
    state = bank.state() if isinstance(bank, MemoryBank) else bank
    return check(judged, state, initial_total=INITIAL_TOTAL, recovery_deadline=recovery_deadline)


def found(result: CheckResult) -> list[tuple[str, tuple[str, ...]]]:
    return [(str(v.kind), v.op_ids) for v in result.violations]


# -- the same changes made with real SQL on a real bank ------------------------------------------


def commit_transfer(settings: ConnectionSettings, op_id: str, times: int = 1) -> None:
    """Apply transfer ``op_id`` (1 -> 2, amount 5) and commit, ``times`` times over."""
    for _ in range(times):
        with connect(settings) as conn:
            transfer_unit(op_id, 1, 2, 5).body(conn)
            conn.commit()


def commit_debit_only(settings: ConnectionSettings, op_id: str) -> None:
    """The half-applied transfer: the debit runs, the link dies, and the debit gets committed
    (what a broken retry-each-statement strategy ends up doing)."""
    with connect(settings) as conn:
        with conn.cursor() as cursor:
            cursor.execute(DEBIT_SQL, (5, move_token(DEBIT, op_id, 5), 1))
        conn.commit()


def execute(settings: ConnectionSettings, statement: str) -> None:
    with connect(settings) as conn, conn.cursor() as cursor:
        cursor.execute(statement)
        conn.commit()
