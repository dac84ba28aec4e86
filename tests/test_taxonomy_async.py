"""The taxonomy on the asyncio drivers' errors, produced for real: aiomysql and asyncmy.

aiomysql raises PyMySQL's classes but says "closed" its own way; asyncmy has classes of its own
with the same codes. Each error here comes from a real connection to the suite's server.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pymysql
import pytest

from chaos.settings import ConnectionSettings
from chaos.taxonomy import classify, error_code, is_disconnect, may_have_run

aiomysql = pytest.importorskip("aiomysql", reason="the async extra is not installed")
asyncmy = pytest.importorskip("asyncmy", reason="the async extra is not installed")

Connect = Callable[[ConnectionSettings], Awaitable[Any]]


def _aiomysql(s: ConnectionSettings) -> Awaitable[Any]:
    return aiomysql.connect(
        host=s.host, port=s.port, user=s.user, password=s.password, db=s.database
    )


def _asyncmy(s: ConnectionSettings) -> Awaitable[Any]:
    return asyncmy.connect(
        host=s.host, port=s.port, user=s.user, password=s.password, database=s.database
    )


DRIVERS = pytest.mark.parametrize("connect", [_aiomysql, _asyncmy], ids=["aiomysql", "asyncmy"])


@pytest.fixture
def settings(make_database) -> Iterator[ConnectionSettings]:
    with make_database("mchaos_tx_") as settings:
        with pymysql.connect(**settings.pymysql_kwargs()) as conn, conn.cursor() as cursor:
            cursor.execute("CREATE TABLE t (id INT PRIMARY KEY)")
            cursor.execute("INSERT INTO t VALUES (1)")
            conn.commit()
        yield settings


async def _error_of(action: Awaitable[Any]) -> BaseException:
    try:
        await action
    except Exception as e:
        return e
    pytest.fail("the action raised nothing")


async def _execute(conn: Any, sql: str) -> None:
    async with conn.cursor() as cursor:
        await cursor.execute(sql)


def _run(coroutine: Awaitable[BaseException]) -> BaseException:
    return asyncio.run(coroutine)  # type: ignore[arg-type]


@DRIVERS
def test_a_killed_session_is_a_disconnect(connect: Connect, settings: ConnectionSettings):
    async def scenario() -> BaseException:
        conn = await connect(settings)
        with pymysql.connect(**settings.pymysql_kwargs()) as admin, admin.cursor() as cursor:
            cursor.execute("KILL CONNECTION %s", (conn.thread_id(),))
        await asyncio.sleep(0.2)  # the server's close reaches the client first
        try:
            return await _error_of(_execute(conn, "SELECT 1"))
        finally:
            conn.close()

    error = _run(scenario())
    # aiomysql reads the EOF as a lost reply (2013); asyncmy saw its transport close and never
    # sent the statement (2006): both disconnects, with what each can know of the statement.
    assert error_code(error) in (2006, 2013), repr(error)
    assert is_disconnect(error)
    assert may_have_run(error) == (error_code(error) == 2013)


@DRIVERS
def test_use_after_close_and_ping_after_close_are_disconnects_that_never_ran(
    connect: Connect, settings: ConnectionSettings
):
    async def scenario() -> tuple[BaseException, BaseException]:
        conn = await connect(settings)
        conn.close()
        used = await _error_of(_execute(conn, "SELECT 1"))
        pinged = await _error_of(conn.ping(reconnect=False))
        return used, pinged

    used, pinged = asyncio.run(scenario())
    assert classify(used) is not None and classify(used).name == "USE_AFTER_CLOSE", repr(used)
    assert classify(pinged) is not None and classify(pinged).name == "ALREADY_CLOSED"
    assert is_disconnect(used) and not may_have_run(used)


@DRIVERS
def test_a_duplicate_key_is_an_answer_with_its_code(connect: Connect, settings):
    async def scenario() -> BaseException:
        conn = await connect(settings)
        try:
            return await _error_of(_execute(conn, "INSERT INTO t VALUES (1)"))
        finally:
            conn.close()

    error = _run(scenario())
    assert error_code(error) == 1062 and not is_disconnect(error)


def test_aiomysql_cancelled_connection_reason_is_use_after_close() -> None:
    # What aiomysql raises on a connection closed by a cancelled statement (a timeout): built
    # here, since only a cancellation at the right instant of a read produces it.
    error = pymysql.err.InterfaceError("Cancelled during execution")
    assert classify(error) is not None and classify(error).name == "USE_AFTER_CLOSE"
