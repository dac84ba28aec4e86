"""Details of single strategies that the shared behaviour table cannot show."""

from __future__ import annotations

import threading
import warnings
from dataclasses import replace

import flask
import pymysql
import pytest
from apps_testkit import AdminSession, InsertUnits, wait_until

from chaos.strategy import Connection, StrategyConfig, UnitOfWork, strategies


def session_id_unit() -> UnitOfWork:
    def body(conn: Connection) -> int:
        cursor = conn.cursor()
        cursor.execute("SELECT CONNECTION_ID()")
        return int(cursor.fetchone()[0])

    return UnitOfWork(op_id="whoami", body=body)


def test_pymysql_warns_on_ping_reconnect_true(config: StrategyConfig) -> None:
    conn = pymysql.connect(**config.connection.pymysql_kwargs())
    try:
        with pytest.warns(DeprecationWarning, match="'reconnect' argument is deprecated"):
            conn.ping(reconnect=True)
    finally:
        conn.close()


def test_ping_reconnect_reconnects_without_leaking_the_deprecation_warning(
    config: StrategyConfig, admin: AdminSession, units: InsertUnits
) -> None:
    with strategies().get("ping-reconnect")(config) as strategy:
        strategy.run(units.insert(1))
        admin.kill_all()
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            strategy.run(units.insert(2))
    assert admin.item_ids() == [1, 2]


@pytest.mark.parametrize(("recycle_seconds", "distinct_sessions"), [(3600.0, 1), (0.0, 3)])
def test_timer_recycle_replaces_the_connection_only_once_it_is_older_than_the_timer(
    recycle_seconds: float, distinct_sessions: int, config: StrategyConfig, admin: AdminSession
) -> None:
    config = replace(config, recycle_seconds=recycle_seconds)
    with strategies().get("timer-recycle")(config) as strategy:
        sessions = [strategy.run(session_id_unit()) for _ in range(3)]
        assert len(set(sessions)) == distinct_sessions
        # Replaced connections are dropped, not closed (as in the seed): pymysql's finaliser
        # closes their sockets without QUIT, and only the current session stays.
        wait_until(lambda: admin.connection_ids() == sessions[-1:], "only the newest session")


def test_sqlalchemy_recycle_recovers_from_a_killed_connection_once_it_is_due(
    config: StrategyConfig, admin: AdminSession, units: InsertUnits
) -> None:
    with strategies().get("sqlalchemy-recycle")(replace(config, recycle_seconds=0.0)) as strategy:
        strategy.run(units.insert(1))
        admin.kill_all()
        strategy.run(units.insert(2))
    assert admin.item_ids() == [1, 2]


@pytest.mark.parametrize("name", ["dbutils-persistent", "tenacity-transaction", "safe"])
def test_thread_mapped_strategies_keep_one_session_per_thread(
    name: str, config: StrategyConfig
) -> None:
    with strategies().get(name)(config) as strategy:
        main = [strategy.run(session_id_unit()) for _ in range(2)]
        other: list[int] = []
        thread = threading.Thread(target=lambda: other.append(strategy.run(session_id_unit())))
        thread.start()
        thread.join(timeout=10)
    assert main[0] == main[1]
    assert other and other[0] != main[0]


def test_per_request_runs_each_unit_in_a_flask_app_context_with_its_own_connection(
    config: StrategyConfig, admin: AdminSession
) -> None:
    seen: list[tuple[bool, int]] = []

    def body(conn: Connection) -> None:
        cursor = conn.cursor()
        cursor.execute("SELECT CONNECTION_ID()")
        seen.append((flask.g.db is conn, int(cursor.fetchone()[0])))

    with strategies().get("per-request")(config) as strategy:
        for _ in range(2):
            strategy.run(UnitOfWork(op_id="ctx", body=body))
            admin.wait_no_connections()  # closed by the teardown
    assert [same for same, _ in seen] == [True, True]
    assert seen[0][1] != seen[1][1]
