"""The reference safe strategy's decisions, each provoked for real on the server.

A lost COMMIT is produced by killing the unit's own session between its last statement and
COMMIT; ``was_applied`` is then either the real read-back or a stub that answers for it.
"""

from __future__ import annotations

import socket
from dataclasses import replace

import pymysql
import pytest
from apps_testkit import AdminSession, InsertUnits
from mysql_chaos_apps.strategies.safe import DEFAULTS, SafeStrategy
from mysql_chaos_apps.strategies.session_fence import fence_session

from chaos.strategy import Connection, DefiniteFailure, StrategyConfig, UnitOfWork
from chaos.taxonomy import error_code


def with_extra(config: StrategyConfig, **extra: float) -> StrategyConfig:
    return replace(config, extra={**config.extra, **extra})


def test_lost_commit_is_read_back_then_retried_when_not_applied(
    config: StrategyConfig, admin: AdminSession, units: InsertUnits
) -> None:
    with SafeStrategy(config) as strategy:
        assert strategy.run(units.insert(30, 31, kill_after=2)) == (30, 31)
    assert (units.body_calls, units.read_backs) == (2, 1)
    assert admin.item_ids() == [30, 31]


def test_lost_commit_is_not_retried_when_read_back_says_applied(
    config: StrategyConfig, admin: AdminSession, units: InsertUnits
) -> None:
    answers: list[bool] = []

    def says_applied(conn: Connection) -> bool:
        answers.append(True)
        return True

    with SafeStrategy(config) as strategy:
        result = strategy.run(units.insert(30, kill_after=1, was_applied=says_applied))
    # The strategy believed the read-back: success, no second body. (The stub lied: the killed
    # session's COMMIT never ran, which is how we know the answer came from the read-back.)
    assert result == (30,)
    assert (units.body_calls, answers) == (1, [True])
    assert admin.item_ids() == []


def test_definite_failure_when_every_commit_is_lost_and_read_back_says_not_applied(
    config: StrategyConfig, admin: AdminSession, units: InsertUnits
) -> None:
    with SafeStrategy(with_extra(config, attempts=3)) as strategy:
        with pytest.raises(DefiniteFailure) as caught:
            strategy.run(units.insert(30, kill_after=1, kills=99))
    assert error_code(caught.value.__cause__) == 2013
    # Three attempts, each read back before the next, and once more after the last.
    assert (units.body_calls, units.read_backs) == (3, 3)
    assert admin.item_ids() == []


def test_lost_commit_without_read_back_is_not_retried_and_stays_unknown(
    config: StrategyConfig, admin: AdminSession, units: InsertUnits
) -> None:
    with SafeStrategy(config) as strategy:
        with pytest.raises(pymysql.err.OperationalError) as caught:
            strategy.run(units.insert(30, kill_after=1, was_applied=None))
    assert not isinstance(caught.value, DefiniteFailure)
    assert error_code(caught.value) == 2013
    assert units.body_calls == 1


def test_duplicate_key_is_an_answer_never_retried_and_the_session_is_kept(
    config: StrategyConfig, admin: AdminSession, units: InsertUnits
) -> None:
    with SafeStrategy(config) as strategy:
        strategy.run(units.insert(5))
        sessions = admin.connection_ids()
        units.body_calls = 0
        with pytest.raises(pymysql.err.IntegrityError) as caught:
            strategy.run(units.insert(6, 5))
        assert error_code(caught.value) == 1062
        assert units.body_calls == 1
        strategy.run(units.insert(7))
        assert admin.connection_ids() == sessions
    assert admin.item_ids() == [5, 7]


def test_session_still_running_on_the_server_is_fenced_before_the_retry(
    config: StrategyConfig, admin: AdminSession
) -> None:
    """A read timeout leaves the session sleeping server-side, holding the row lock on 40.

    Without the fence the retry's INSERT would wait on that lock until its own read timeout,
    again and again, until the retry budget ran out.
    """
    lost: list[int] = []

    def body(conn: Connection) -> str:
        cursor = conn.cursor()
        cursor.execute("INSERT INTO items (id) VALUES (40)")
        if not lost:
            cursor.execute("SELECT CONNECTION_ID()")
            lost.append(int(cursor.fetchone()[0]))
            cursor.execute("SELECT SLEEP(30)")  # the client gives up after read_timeout
        return "done"

    with SafeStrategy(with_extra(config, read_timeout=0.5)) as strategy:
        assert strategy.run(UnitOfWork(op_id="sleepy", body=body)) == "done"
        assert not admin.is_present(lost[0])
    assert admin.item_ids() == [40]


def test_unreachable_server_is_a_definite_failure(config: StrategyConfig) -> None:
    with socket.socket() as probe:  # a port nothing listens on: connect is refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    unreachable = replace(config, connection=replace(config.connection, port=port))
    with SafeStrategy(with_extra(unreachable, attempts=2)) as strategy:
        with pytest.raises(DefiniteFailure) as caught:
            strategy.run(UnitOfWork(op_id="never", body=lambda conn: None))
    assert error_code(caught.value.__cause__) == 2003
    assert "\n" not in str(caught.value)


def test_timeouts_default_then_settings_then_extra(config: StrategyConfig) -> None:
    defaults = SafeStrategy(config).connect_kwargs
    assert [defaults[k] for k in ("connect_timeout", "read_timeout", "write_timeout")] == [
        DEFAULTS["connect_timeout"],
        DEFAULTS["read_timeout"],
        DEFAULTS["write_timeout"],
    ]
    assert SafeStrategy(with_extra(config, read_timeout=0.7)).connect_kwargs["read_timeout"] == 0.7
    own = replace(config, connection=replace(config.connection, read_timeout=9.0))
    assert SafeStrategy(own).connect_kwargs["read_timeout"] == 9.0
    # A user's option (--option read_timeout=0.7) wins over what the run's settings carry.
    assert SafeStrategy(with_extra(own, read_timeout=0.7)).connect_kwargs["read_timeout"] == 0.7


@pytest.mark.parametrize("restarted", [False, True])
def test_fence_kills_an_old_session_unless_the_server_restarted_since(
    restarted: bool, config: StrategyConfig, admin: AdminSession
) -> None:
    """A session id from before a restart may be someone else's now: it must be left alone."""
    kwargs = config.connection.pymysql_kwargs()
    old, fresh = pymysql.connect(**kwargs), pymysql.connect(**kwargs)
    try:
        # An age longer than the server's uptime can only mean it restarted in between.
        age = 10.0**9 if restarted else 0.0
        fence_session(fresh, old.thread_id(), age_seconds=age, timeout=5.0)
        assert admin.is_present(old.thread_id()) == restarted
    finally:
        for conn in (old, fresh):
            if conn.open:
                conn.close()
