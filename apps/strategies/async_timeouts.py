"""A read timeout for asyncio drivers that have none: every awaited call of a unit, bounded.

aiomysql takes a connect timeout but no read or write timeout: against a frozen server a
statement waits forever, the asyncio form of the seed's missing ``read_timeout``. Wrapping the
connection bounds each statement, fetch and COMMIT as pymysql's ``read_timeout`` bounds each
read; a call that runs out raises ``TimeoutError`` (a disconnect in the taxonomy, the statement
may have run), and the connection, cut mid-exchange, must be discarded.
"""

from __future__ import annotations

import asyncio
from typing import Any

from chaos.strategy import AsyncConnection


class TimedCursor:
    """``async with`` around the driver's own cursor context (aiomysql's ``cursor()`` is a
    coroutine in a context manager, asyncmy's a cursor that is its own context)."""

    def __init__(self, context: Any, seconds: float) -> None:
        self._context = context
        self._cursor: Any = None
        self._seconds = seconds

    async def __aenter__(self) -> TimedCursor:
        self._cursor = await asyncio.wait_for(self._context.__aenter__(), self._seconds)
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await asyncio.wait_for(self._context.__aexit__(*exc_info), self._seconds)

    async def execute(self, query: str, args: Any = None) -> Any:
        return await asyncio.wait_for(self._cursor.execute(query, args), self._seconds)

    async def fetchone(self) -> Any:
        return await asyncio.wait_for(self._cursor.fetchone(), self._seconds)

    async def fetchall(self) -> Any:
        return await asyncio.wait_for(self._cursor.fetchall(), self._seconds)


class TimedConnection:
    """``conn`` (aiomysql- or asyncmy-style) with each awaited call bounded by ``seconds``."""

    def __init__(self, conn: AsyncConnection, seconds: float) -> None:
        self.conn = conn
        self.seconds = seconds

    def cursor(self) -> TimedCursor:
        return TimedCursor(self.conn.cursor(), self.seconds)

    async def commit(self) -> None:
        await asyncio.wait_for(self.conn.commit(), self.seconds)

    async def rollback(self) -> None:
        await asyncio.wait_for(self.conn.rollback(), self.seconds)

    async def ping(self) -> None:
        await asyncio.wait_for(self.conn.ping(reconnect=False), self.seconds)

    def thread_id(self) -> int:
        return int(self.conn.thread_id())

    def close(self) -> None:
        """Drop the socket at once (no COM_QUIT: the link may be dead or mid-exchange)."""
        try:
            self.conn.close()
        except Exception:  # already closed: nothing left to release
            pass
