"""The list-append workload: transactions of appends to and reads of a few lists (Elle's model).

Each key is one row of ``lists``; an append concatenates ``value,`` to the row's ``vals``, a
read selects it. A transaction is a few micro-ops in one explicit transaction; every appended
value is unique over the run, so a list names exactly which appends landed and in what order.
That is what Jepsen's Elle reads, and what our own list-append checker judges: an append applied
twice (a transaction re-run after an ambiguous commit) shows as a value seen twice, even where
the bank's totals would stay intact.

As the bank's generator, worker ``w`` appends only to its own keys ``2w+1`` and ``2w+2`` (no
lock waits or deadlocks between workers, so a cell's outcome does not depend on timing); reads
also read a neighbour's key, which gives Elle dependencies between workers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pymysql

from chaos.settings import ConnectionSettings
from chaos.strategy import AsyncConnection, AsyncUnitOfWork, Connection, UnitOfWork
from chaos.workload.bank import first_row
from chaos.workload.generator import READ_EVERY, PlannedOperation, accounts_for_worker
from chaos.workload.history import Kind
from chaos.workload.list_state import APPEND, READ, ListState, MicroOp

NAME = "list-append"
#: Values of worker ``w`` are ``w * VALUES_PER_WORKER + n``: unique over the run.
VALUES_PER_WORKER = 1_000_000
SEPARATOR = ","

_DDL = (
    "DROP TABLE IF EXISTS lists",
    "CREATE TABLE lists (k INT PRIMARY KEY, vals MEDIUMTEXT NOT NULL) ENGINE=InnoDB",
)
APPEND_SQL = "UPDATE lists SET vals = CONCAT(vals, %s) WHERE k = %s"
READ_SQL = "SELECT vals FROM lists WHERE k = %s"
# A locking read, as the bank's: it waits for a transaction still in flight on the server.
WAS_APPLIED_SQL = "SELECT vals FROM lists WHERE k = %s LOCK IN SHARE MODE"
#: What a list-append transaction looks like on the wire (RE2, case ignored): the runner hands
#: it to the fault, so a fault that strikes "a transaction" strikes an append.
TXN_SIGNATURE = r"\bupdate\s+lists\b"


def keys_needed(workers: int) -> int:
    return 2 * workers


def create_lists(settings: ConnectionSettings, keys: int) -> None:
    """Drop and create ``lists`` with ``keys`` empty lists, over an admin's connection."""
    conn = pymysql.connect(**settings.pymysql_kwargs())
    try:
        with conn.cursor() as cursor:
            for statement in _DDL:
                cursor.execute(statement)
            cursor.executemany(
                "INSERT INTO lists (k, vals) VALUES (%s, '')", [(k,) for k in range(1, keys + 1)]
            )
        conn.commit()
    finally:
        conn.close()


def parse_values(text: str) -> tuple[int, ...]:
    return tuple(int(v) for v in text.split(SEPARATOR) if v)


def read_lists(settings: ConnectionSettings) -> ListState:
    """Every list, over a fresh direct connection, in one snapshot."""
    conn = pymysql.connect(**settings.pymysql_kwargs(autocommit=True))
    try:
        with conn.cursor() as cursor:
            cursor.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")
            cursor.execute("SELECT k, vals FROM lists ORDER BY k")
            lists = {int(k): parse_values(str(vals)) for k, vals in cursor.fetchall()}
            cursor.execute("COMMIT")
    finally:
        conn.close()
    return ListState(lists)


class ListAppendPlan:
    """The transactions one worker issues over a cell (ids ``w<w>-<n>``), deterministic."""

    def __init__(self, worker: int, workers: int) -> None:
        self.worker = worker
        self.workers = workers
        self._issued = 0
        self._values = 0

    def next_operation(self, kind: Kind | None = None) -> PlannedOperation:
        """The next transaction; ``Kind.READ`` forces a read-only one, ``Kind.TRANSFER`` one
        that appends (the fault phase's reader and writers)."""
        self._issued += 1
        number = self._issued
        own, other = accounts_for_worker(self.worker)
        neighbour = accounts_for_worker((self.worker + 1) % self.workers)[0]
        read_only = kind is Kind.READ or (kind is None and number % READ_EVERY == 0)
        txn: tuple[MicroOp, ...]
        if read_only:
            txn = ((READ, own, None), (READ, other, None), (READ, neighbour, None))
        else:
            first, second = (own, other) if number % 2 else (other, own)
            txn = (
                (APPEND, first, self._next_value()),
                (READ, neighbour, None),
                (APPEND, second, self._next_value()),
                (READ, first, None),
            )
        return PlannedOperation(f"w{self.worker}-{number}", self.worker, Kind.TXN, txn=txn)

    def _next_value(self) -> int:
        self._values += 1
        return self.worker * VALUES_PER_WORKER + self._values


def _first_append(txn: tuple[MicroOp, ...]) -> tuple[int, int] | None:
    return next(((k, v) for f, k, v in txn if f == APPEND), None)


def _values_of(row: Any) -> tuple[int, ...]:
    if row is None:
        return ()
    if isinstance(row, Mapping):
        row = tuple(row.values())
    return parse_values(str(row[0]))


def txn_unit(op_id: str, txn: tuple[MicroOp, ...]) -> UnitOfWork:
    """A list-append transaction as one unit of work; the body returns the completed micro-ops."""
    probe = _first_append(txn)

    def body(conn: Connection) -> tuple[MicroOp, ...]:
        done: list[MicroOp] = []
        with conn.cursor() as cursor:
            for function, key, value in txn:
                if function == APPEND:
                    cursor.execute(APPEND_SQL, (f"{value}{SEPARATOR}", key))
                    done.append((function, key, value))
                else:
                    cursor.execute(READ_SQL, (key,))
                    done.append((function, key, _values_of(cursor.fetchone())))
        return tuple(done)

    def was_applied(conn: Connection) -> bool:
        # As the bank's read-back: no old snapshot answers, and the share lock goes at once.
        assert probe is not None
        conn.rollback()
        try:
            with conn.cursor() as cursor:
                cursor.execute(WAS_APPLIED_SQL, (probe[0],))
                values = _values_of(first_row(cursor.fetchone(), "vals"))
        finally:
            conn.rollback()
        return probe[1] in values

    return UnitOfWork(op_id=op_id, body=body, was_applied=was_applied if probe else None)


def async_txn_unit(op_id: str, txn: tuple[MicroOp, ...]) -> AsyncUnitOfWork:
    """:func:`txn_unit` for an async connection."""
    probe = _first_append(txn)

    async def body(conn: AsyncConnection) -> tuple[MicroOp, ...]:
        done: list[MicroOp] = []
        async with conn.cursor() as cursor:
            for function, key, value in txn:
                if function == APPEND:
                    await cursor.execute(APPEND_SQL, (f"{value}{SEPARATOR}", key))
                    done.append((function, key, value))
                else:
                    await cursor.execute(READ_SQL, (key,))
                    done.append((function, key, _values_of(await cursor.fetchone())))
        return tuple(done)

    async def was_applied(conn: AsyncConnection) -> bool:
        assert probe is not None
        await conn.rollback()
        try:
            async with conn.cursor() as cursor:
                await cursor.execute(WAS_APPLIED_SQL, (probe[0],))
                values = _values_of(first_row(await cursor.fetchone(), "vals"))
        finally:
            await conn.rollback()
        return probe[1] in values

    return AsyncUnitOfWork(op_id=op_id, body=body, was_applied=was_applied if probe else None)


def txn_builder(strategy: object) -> Any:
    """The transaction builder ``strategy`` takes (async units behind an async adapter)."""
    return async_txn_unit if getattr(strategy, "asynchronous", False) else txn_unit
