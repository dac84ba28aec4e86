"""Every registered async strategy, against the real server: it commits, it closes, and it meets
``KILL CONNECTION`` exactly the way its real code does (measured, not hoped for)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pymysql
import pytest
from apps_testkit import AdminSession, outcome

from chaos.session_setup import MARKER_VARIABLE, SessionSetup, isolation_variable
from chaos.strategy import (
    AsyncConnection,
    AsyncUnitOfWork,
    StrategyConfig,
    build_strategy,
    is_async_factory,
    strategies,
)

pytest.importorskip("aiomysql", reason="the async extra is not installed (mysql-chaos[async])")
pytest.importorskip("asyncmy", reason="the async extra is not installed (mysql-chaos[async])")

NAMES = [name for name, factory in strategies().items() if is_async_factory(factory)]

# Inserts 10 then 11 with the session killed between them (KILL_AFTER=1), or before COMMIT (2):
# the unit's outcome, the rows committed, the next unit's outcome.
KILLED: dict[tuple[str, int], tuple[str, tuple[int, ...], str]] = {
    # No retry: the killed session's error propagates (SQLAlchemy's OperationalError, whose
    # .orig is aiomysql's 2013), the next checkout pings and reconnects.
    ("sqlalchemy-async-pre-ping", 1): ("OperationalError()", (), "ok"),
    ("sqlalchemy-async-pre-ping", 2): ("OperationalError()", (), "ok"),
    # The whole transaction retried on a new connection (before COMMIT: nothing was applied).
    ("aiomysql-safe", 1): ("ok", (10, 11), "ok"),
    ("aiomysql-safe", 2): ("ok", (10, 11), "ok"),
    ("asyncmy-safe", 1): ("ok", (10, 11), "ok"),
    ("asyncmy-safe", 2): ("ok", (10, 11), "ok"),
}


class AsyncInsertUnits:
    """Units inserting rows into ``items``; ``kill_after=k`` kills the unit's own session after
    its k-th insert, the first time only."""

    def __init__(self, admin: AdminSession) -> None:
        self.admin = admin
        self.killed: list[int] = []

    def insert(self, *ids: int, kill_after: int | None = None) -> AsyncUnitOfWork:
        async def body(conn: AsyncConnection) -> tuple[int, ...]:
            async with conn.cursor() as cursor:
                for index, item in enumerate(ids, start=1):
                    await cursor.execute("INSERT INTO items (id) VALUES (%s)", (item,))
                    if index == kill_after and not self.killed:
                        await cursor.execute("SELECT CONNECTION_ID()")
                        own_id = int((await cursor.fetchone())[0])
                        self.killed.append(own_id)
                        self.admin.kill(own_id)  # blocks the loop a moment: nothing else runs
            return ids

        async def was_applied(conn: AsyncConnection) -> bool:
            async with conn.cursor() as cursor:
                await cursor.execute("SELECT COUNT(*) FROM items WHERE id = %s", (ids[0],))
                return int((await cursor.fetchone())[0]) > 0

        return AsyncUnitOfWork(f"insert-{'-'.join(map(str, ids))}", body, was_applied)


@pytest.fixture
def strategy_for(config: StrategyConfig) -> Iterator[Any]:
    built: list[Any] = []

    def build(name: str) -> Any:
        built.append(build_strategy(strategies().get(name), config))
        return built[-1]

    yield build
    for strategy in built:
        strategy.close()


def test_the_async_strategies_are_registered_after_the_sync_ones() -> None:
    assert NAMES == ["sqlalchemy-async-pre-ping", "aiomysql-safe", "asyncmy-safe"]
    assert strategies().names()[-3:] == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_async_strategy_commits_the_unit_and_returns_the_body_result(
    name: str, strategy_for: Any, admin: AdminSession
) -> None:
    units = AsyncInsertUnits(admin)
    assert strategy_for(name).run(units.insert(1, 2)) == (1, 2)
    assert admin.item_ids() == [1, 2]


@pytest.mark.parametrize("name", NAMES)
def test_close_releases_every_connection_after_concurrent_use(
    name: str, config: StrategyConfig, admin: AdminSession
) -> None:
    units = AsyncInsertUnits(admin)
    strategy = build_strategy(strategies().get(name), config)
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            for round_ in range(3):
                strategy.run(units.insert(100 * index + round_))
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=10)
        assert not errors and len(admin.item_ids()) == 12
        assert admin.connection_ids()  # all three keep connections between units
    finally:
        strategy.close()
    admin.wait_no_connections()


@pytest.mark.parametrize("kill_after", [1, 2], ids=["between-statements", "before-commit"])
@pytest.mark.parametrize("name", NAMES)
def test_a_killed_session_fails_or_is_retried_as_measured(
    name: str, kill_after: int, strategy_for: Any, admin: AdminSession
) -> None:
    units = AsyncInsertUnits(admin)
    strategy = strategy_for(name)
    strategy.run(units.insert(1))
    result = outcome(lambda: strategy.run(units.insert(10, 11, kill_after=kill_after)))
    committed = tuple(i for i in admin.item_ids() if i != 1)
    following = outcome(lambda: strategy.run(units.insert(20)))
    assert len(units.killed) == 1
    assert (result, committed, following) == KILLED[(name, kill_after)]


def _marker_unit(admin: AdminSession, kill: bool) -> AsyncUnitOfWork:
    """Reads the session's init_command marker; with ``kill``, kills its own session first
    (the unit is retried, or the next one reconnects)."""

    async def body(conn: AsyncConnection) -> str | None:
        async with conn.cursor() as cursor:
            if kill:
                await cursor.execute("SELECT CONNECTION_ID()")
                admin.kill(int((await cursor.fetchone())[0]))
            await cursor.execute(f"SELECT {MARKER_VARIABLE}")
            return (await cursor.fetchone())[0]

    return AsyncUnitOfWork("read-marker", body)


@pytest.mark.parametrize("name", NAMES)
def test_async_strategy_sets_the_runs_session_up_again_on_each_new_connection(
    name: str, config: StrategyConfig, admin: AdminSession
) -> None:
    """Without it the drift invariant read the server's defaults before and after a fault and
    could never catch an async strategy that loses its session state."""
    probe = pymysql.connect(**config.connection.pymysql_kwargs())
    try:
        setup = SessionSetup(isolation_variable=isolation_variable(probe))
    finally:
        probe.close()
    strategy = build_strategy(
        strategies().get(name),
        replace(config, connection=config.connection.with_session(setup)),
    )
    try:
        assert strategy.run(_marker_unit(admin, kill=False)) == setup.marker
        outcome(lambda: strategy.run(_marker_unit(admin, kill=True)))  # retried or failed
        assert strategy.run(_marker_unit(admin, kill=False)) == setup.marker  # a new session
    finally:
        strategy.close()
