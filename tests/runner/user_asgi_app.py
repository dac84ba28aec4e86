"""A user's own ASGI apps, written as a user would (plain ASGI, aiomysql, settings from the
environment). The black-box tests copy this file into a directory of their own and run
``mysql-chaos check-app`` there."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from typing import Any

import aiomysql
import pymysql

Send = Callable[[dict[str, Any]], Awaitable[None]]


async def _connect() -> aiomysql.Connection:
    return await aiomysql.connect(
        host=os.environ["MYSQL_CHAOS_HOST"],
        port=int(os.environ["MYSQL_CHAOS_PORT"]),
        user=os.environ["MYSQL_CHAOS_USER"],
        password=os.environ["MYSQL_CHAOS_PASSWORD"],
        db=os.environ["MYSQL_CHAOS_DATABASE"],
        connect_timeout=1,
    )


async def _select_one(conn: aiomysql.Connection) -> None:
    async with conn.cursor() as cursor:
        await cursor.execute("SELECT 1")


async def _answer(send: Send, ok: bool) -> None:
    status = 200 if ok else 503
    await send({"type": "http.response.start", "status": status, "headers": []})
    await send({"type": "http.response.body", "body": b"ok" if ok else b"unavailable"})


async def _lifespan(receive: Any, send: Send) -> None:
    while (await receive())["type"] != "lifespan.shutdown":
        await send({"type": "lifespan.startup.complete"})
    await send({"type": "lifespan.shutdown.complete"})


_shared: aiomysql.Connection | None = None


async def naive_app(scope: dict[str, Any], receive: Any, send: Send) -> None:
    """One connection, made on first use and never replaced (the seed's mistake)."""
    global _shared
    if scope["type"] == "lifespan":
        return await _lifespan(receive, send)
    try:
        if _shared is None:
            _shared = await _connect()
        await _select_one(_shared)
        await _answer(send, True)
    except pymysql.MySQLError:
        await _answer(send, False)


async def fresh_app(scope: dict[str, Any], receive: Any, send: Send) -> None:
    """A new connection per request, each call bounded (aiomysql has no read timeout)."""
    if scope["type"] == "lifespan":
        return await _lifespan(receive, send)
    conn = None
    try:
        conn = await asyncio.wait_for(_connect(), 2)
        await asyncio.wait_for(_select_one(conn), 1)
        await _answer(send, True)
    except (pymysql.MySQLError, TimeoutError):
        await _answer(send, False)
    finally:
        if conn is not None:
            conn.close()
