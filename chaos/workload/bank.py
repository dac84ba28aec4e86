"""The bank workload's SQL: the schema, a transfer, a read, and the final state.

A transfer is one explicit transaction of three statements (debit, credit, ledger row). Each
balance UPDATE also appends a token naming the operation to the row's ``moves``, so the checker
can tell exactly which operations' moves happened; the ledger's ``op_id`` is deliberately not
unique, so a double-applied transfer is stored and seen rather than refused.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import pymysql

from chaos.session_setup import ABSENT, PRESENT, SessionSetup, isolation_variable, reading
from chaos.settings import ConnectionSettings
from chaos.strategy import Connection, UnitOfWork
from chaos.taxonomy import error_code
from chaos.workload.state import (
    CREDIT,
    DEBIT,
    TOKEN_END,
    AccountState,
    BankState,
    LedgerRow,
    move_token,
    opening_token,
)

log = logging.getLogger(__name__)


#: ``ledger.op_id`` is VARCHAR(64).
MAX_OP_ID_LENGTH = 64

_DDL = (
    "DROP TABLE IF EXISTS ledger",
    "DROP TABLE IF EXISTS accounts",
    """CREATE TABLE accounts (
        id INT PRIMARY KEY,
        balance BIGINT NOT NULL,
        moves MEDIUMTEXT NOT NULL
    ) ENGINE=InnoDB""",
    # No UNIQUE on op_id: a double-applied transfer must land here so the checker can see it.
    """CREATE TABLE ledger (
        seq BIGINT AUTO_INCREMENT PRIMARY KEY,
        op_id VARCHAR(64) NOT NULL,
        from_id INT,
        to_id INT,
        amount BIGINT,
        INDEX (op_id)
    ) ENGINE=InnoDB""",
)

_MOVE = "UPDATE accounts SET balance = balance {op} %s, moves = CONCAT(moves, %s) WHERE id = %s"
DEBIT_SQL = _MOVE.format(op="-")
CREDIT_SQL = _MOVE.format(op="+")
LEDGER_SQL = "INSERT INTO ledger (op_id, from_id, to_id, amount) VALUES (%s, %s, %s, %s)"
# A locking read: it waits for a transaction still in flight on the server (one whose COMMIT
# the client lost) instead of reading around it, so "not applied" cannot be answered while the
# original may still commit. (LOCK IN SHARE MODE, not FOR SHARE: MariaDB lacks the latter.)
WAS_APPLIED_SQL = "SELECT COUNT(*) FROM ledger WHERE op_id = %s LOCK IN SHARE MODE"
#: The third column counts the ledger's rows in the same snapshot as the balances: how many
#: transfers the read saw (``moves_seen``), so a read that missed an acknowledged transfer on a
#: lagging replica shows it (``stale-read``). Counted from the ledger, not kept in a counter
#: the transfer would update: a transfer stays the three statements the wire faults count.
_READ_COLUMNS = "id, balance, (SELECT COUNT(*) FROM ledger) AS moves_seen"
_READ_FROM = "FROM accounts ORDER BY id"
READ_SQL = f"SELECT {_READ_COLUMNS} {_READ_FROM}"
#: What a transfer looks like on the wire (an RE2 pattern, case ignored): a write to the bank's
#: tables. The runner hands it to the fault it arms, so a fault that strikes "a transaction"
#: strikes a transfer, the operation the checker judges, and never a client's other writes
#: (an idempotency key or audit row its reads write); the fault itself knows no table.
TRANSFER_SIGNATURE = r"\b(update\s+accounts|insert\s+into\s+ledger)\b"


def create_schema(conn: Connection, accounts: int = 8, initial_balance: int = 1000) -> None:
    """Drop and create the bank's tables, open ``accounts`` accounts, and commit."""
    if accounts < 1:
        raise ValueError(f"a bank needs at least one account, not {accounts}")
    with conn.cursor() as cursor:
        for statement in _DDL:
            cursor.execute(statement)
        cursor.executemany(
            "INSERT INTO accounts (id, balance, moves) VALUES (%s, %s, %s)",
            [
                (account, initial_balance, opening_token(initial_balance))
                for account in range(1, accounts + 1)
            ],
        )
    conn.commit()
    log.debug("bank schema: %d accounts of %d", accounts, initial_balance)


def create_bank(
    settings: ConnectionSettings, accounts: int = 8, initial_balance: int = 1000
) -> None:
    """:func:`create_schema` over a fresh connection made with ``settings`` (an admin's)."""
    conn = pymysql.connect(**settings.pymysql_kwargs())
    try:
        create_schema(conn, accounts=accounts, initial_balance=initial_balance)
    finally:
        conn.close()


def session_setup_for(settings: ConnectionSettings) -> SessionSetup:
    """The run's :class:`SessionSetup` in the words of the server behind ``settings``."""
    conn = pymysql.connect(**settings.pymysql_kwargs())
    try:
        return SessionSetup(isolation_variable=isolation_variable(conn))
    finally:
        conn.close()


def transfer_unit(
    op_id: str,
    from_id: int,
    to_id: int,
    amount: int,
) -> UnitOfWork:
    """A transfer as one unit of work: debit, credit and ledger row, in one transaction."""
    check_op_id(op_id)

    def body(conn: Connection) -> None:
        with conn.cursor() as cursor:
            cursor.execute(DEBIT_SQL, (amount, move_token(DEBIT, op_id, amount), from_id))
            cursor.execute(CREDIT_SQL, (amount, move_token(CREDIT, op_id, amount), to_id))
            cursor.execute(LEDGER_SQL, (op_id, from_id, to_id, amount))

    def was_applied(conn: Connection) -> bool:
        # The caller is resolving an ambiguous outcome: whatever transaction this connection had
        # is over, and an old snapshot must not answer for data committed since.
        conn.rollback()
        try:
            with conn.cursor() as cursor:
                cursor.execute(WAS_APPLIED_SQL, (op_id,))
                (count,) = first_row(cursor.fetchone(), "COUNT(*)")
        finally:
            # Release the share locks at once: held, they would block other workers' inserts.
            conn.rollback()
        return int(count) > 0

    return UnitOfWork(op_id=op_id, body=body, was_applied=was_applied)


def check_op_id(op_id: str) -> None:
    """An op id fits the ledger and cannot end a move token early, or ValueError."""
    if TOKEN_END in op_id or not op_id or len(op_id) > MAX_OP_ID_LENGTH:
        raise ValueError(f"op id must be 1..{MAX_OP_ID_LENGTH} chars without ';': {op_id!r}")


class BalanceRead(dict[int, int]):
    """``{account id: balance}`` as a read saw it, how many transfers it saw (``moves_seen``,
    None when not read) and the session state it read beside them."""

    session: dict[str, str | None] | None = None
    moves_seen: int | None = None


def read_sql(session: SessionSetup | None) -> str:
    """:data:`READ_SQL`, reading the session's state in the same statement when ``session``.

    The same statement, not a second one: a fault that counts a transaction's statements on the
    wire meets the same transaction with or without the reading.
    """
    if session is None:
        return READ_SQL
    return f"SELECT {_READ_COLUMNS}, {session.select_list()} {_READ_FROM}"


def balance_read(rows: Any, session: SessionSetup | None) -> BalanceRead:
    """The body's answer from the rows of :func:`read_sql`."""
    rows = list(rows)
    result = BalanceRead(pair(row) for row in rows)
    if rows:
        first = rows[0]
        values = list(first.values()) if isinstance(first, Mapping) else list(first)
        result.moves_seen = int(values[2])
        if session is not None:
            result.session = reading(values[3:])
    return result


def read_unit(op_id: str, session: SessionSetup | None = None, objects: bool = False) -> UnitOfWork:
    """A read of every balance; the body returns ``{account id: balance}``
    (a :class:`BalanceRead`, with the session's state when ``session`` is given, and whether
    its session objects are there when ``objects``: one statement more for each)."""
    sql = read_sql(session)

    def body(conn: Connection) -> BalanceRead:
        with conn.cursor() as cursor:
            cursor.execute(sql)
            rows = cursor.fetchall()
            result = balance_read(rows, session)
            if objects and session is not None and result.session is not None:
                result.session.update(_probe_objects(session, cursor))
        return result

    return UnitOfWork(op_id=op_id, body=body, read_only=True)


def _probe_objects(setup: SessionSetup, cursor: Any) -> dict[str, str]:
    """Whether each session object is there, by field, from ``cursor``'s connection."""
    return objects_found(setup, [_attempt(cursor, probe[1]) for probe in setup.object_probes()])


def objects_found(setup: SessionSetup, errors: Sequence[BaseException | None]) -> dict[str, str]:
    """What the probes' outcomes say (:data:`PRESENT` or :data:`ABSENT`), by field: ``errors``
    holds each probe's error in :meth:`SessionSetup.object_probes` order (None: it ran). Any
    driver's error with the code that says "missing" is an answer; any other error goes on."""
    found = {}
    for (field, _statement, missing), error in zip(setup.object_probes(), errors, strict=True):
        if error is not None and error_code(error) != missing:
            raise error
        found[field] = PRESENT if error is None else ABSENT
    return found


def _attempt(cursor: Any, statement: str) -> Exception | None:
    try:
        cursor.execute(statement)
        cursor.fetchall()
    except Exception as e:
        return e
    return None


def read_state(settings: ConnectionSettings) -> BankState:
    """The final balances, moves and ledger, over a fresh direct connection, in one snapshot."""
    conn = pymysql.connect(**settings.pymysql_kwargs(autocommit=True))
    try:
        with conn.cursor() as cursor:
            # One snapshot for both tables: a straggler committing between the two SELECTs
            # would otherwise look like a ledger row without its moves.
            cursor.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")
            cursor.execute("SELECT id, balance, moves FROM accounts ORDER BY id")
            accounts = tuple(
                AccountState(int(row[0]), int(row[1]), str(row[2])) for row in cursor.fetchall()
            )
            cursor.execute("SELECT seq, op_id, from_id, to_id, amount FROM ledger ORDER BY seq")
            ledger = tuple(
                LedgerRow(int(seq), str(op_id), from_id, to_id, amount)
                for seq, op_id, from_id, to_id, amount in cursor.fetchall()
            )
            cursor.execute("COMMIT")
    finally:
        conn.close()
    return BankState(accounts=accounts, ledger=ledger)


def pair(row: Any) -> tuple[int, int]:
    """Strategies may hand the body a dict-cursor connection; accept both row shapes."""
    if isinstance(row, Mapping):
        return int(row["id"]), int(row["balance"])
    return int(row[0]), int(row[1])


def first_row(row: Any, column: str) -> tuple[Any, ...]:
    if row is None:
        raise RuntimeError(f"{column} returned no row")
    if isinstance(row, Mapping):
        return tuple(row.values())
    return tuple(row)
