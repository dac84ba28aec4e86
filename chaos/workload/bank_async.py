"""The bank's operations for async strategies: the same SQL as :mod:`chaos.workload.bank`, awaited.

A transfer is the same three statements in one transaction, a read the same SELECT, and the
read-back the same locking query, so a history of an async strategy means what a sync one's
does and the checker cannot tell them apart. The connection is aiomysql-style (see
:data:`chaos.strategy.AsyncConnection`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chaos.session_setup import SessionSetup
from chaos.strategy import AsyncConnection, AsyncUnitOfWork, UnitOfWork
from chaos.workload.bank import (
    CREDIT_SQL,
    DEBIT_SQL,
    LEDGER_SQL,
    WAS_APPLIED_SQL,
    BalanceRead,
    balance_read,
    check_op_id,
    first_row,
    objects_found,
    read_sql,
    read_unit,
    transfer_unit,
)
from chaos.workload.state import CREDIT, DEBIT, move_token


def async_transfer_unit(op_id: str, from_id: int, to_id: int, amount: int) -> AsyncUnitOfWork:
    """:func:`~chaos.workload.bank.transfer_unit` for an async connection."""
    check_op_id(op_id)

    async def body(conn: AsyncConnection) -> None:
        async with conn.cursor() as cursor:
            await cursor.execute(DEBIT_SQL, (amount, move_token(DEBIT, op_id, amount), from_id))
            await cursor.execute(CREDIT_SQL, (amount, move_token(CREDIT, op_id, amount), to_id))
            await cursor.execute(LEDGER_SQL, (op_id, from_id, to_id, amount))

    async def was_applied(conn: AsyncConnection) -> bool:
        # As the sync read-back: no old snapshot answers, and the share locks go at once.
        await conn.rollback()
        try:
            async with conn.cursor() as cursor:
                await cursor.execute(WAS_APPLIED_SQL, (op_id,))
                (count,) = first_row(await cursor.fetchone(), "COUNT(*)")
        finally:
            await conn.rollback()
        return int(count) > 0

    return AsyncUnitOfWork(op_id=op_id, body=body, was_applied=was_applied)


def async_read_unit(
    op_id: str, session: SessionSetup | None = None, objects: bool = False
) -> AsyncUnitOfWork:
    """A read of every balance, as :func:`~chaos.workload.bank.read_unit`."""
    sql = read_sql(session)

    async def body(conn: AsyncConnection) -> BalanceRead:
        async with conn.cursor() as cursor:
            await cursor.execute(sql)
            rows = await cursor.fetchall()
            result = balance_read(rows, session)
            if objects and session is not None and result.session is not None:
                result.session.update(await _probe_objects(session, cursor))
        return result

    return AsyncUnitOfWork(op_id=op_id, body=body, read_only=True)


async def _probe_objects(session: SessionSetup, cursor: Any) -> dict[str, str]:
    """:func:`~chaos.session_setup.probe_objects` on an async cursor."""
    errors = [await _attempt(cursor, probe[1]) for probe in session.object_probes()]
    return objects_found(session, errors)


async def _attempt(cursor: Any, statement: str) -> Exception | None:
    try:
        await cursor.execute(statement)
        await cursor.fetchall()
    except Exception as e:
        return e
    return None


ReadBuilder = Callable[[str, SessionSetup | None, bool], UnitOfWork | AsyncUnitOfWork]
TransferBuilder = Callable[[str, int, int, int], UnitOfWork | AsyncUnitOfWork]


def unit_builders(strategy: object) -> tuple[ReadBuilder, TransferBuilder]:
    """The read and transfer builders ``strategy`` takes: async units for an async strategy
    behind its adapter (``asynchronous = True``), DB-API units otherwise."""
    if getattr(strategy, "asynchronous", False):
        return async_read_unit, async_transfer_unit
    return read_unit, transfer_unit
