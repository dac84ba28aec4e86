"""Every registered sync strategy, against the real server: it commits, it closes, and it meets
``KILL CONNECTION`` exactly the way its real code does (measured, not hoped for). The async ones
have their own file (test_apps_async_strategy_behaviour.py)."""

from __future__ import annotations

import threading

import pytest
from apps_testkit import AdminSession, InsertUnits, outcome

from chaos.strategy import StrategyConfig, is_async_factory, strategies

NAMES = [name for name, factory in strategies().items() if not is_async_factory(factory)]

# Each row: the outcome of the next three units after the strategy's idle sessions are killed.
# 2013: MariaDB sends "Connection was killed" with sequence id 0, which pymysql reports as
# "Lost connection"; InterfaceError(0): pymysql closed the socket and nothing reconnects.
AFTER_IDLE_KILL: dict[str, tuple[str, str, str]] = {
    "naive-global": ("OperationalError(2013)", "InterfaceError(0)", "InterfaceError(0)"),
    "cursor-retry": ("OperationalError(2013)", "InterfaceError(0)", "InterfaceError(0)"),
    "per-request": ("ok", "ok", "ok"),  # holds no connection between units
    "ping-reconnect": ("ok", "ok", "ok"),
    "dbutils-persistent": ("ok", "ok", "ok"),  # connection() pings and reopens
    "dbutils-pooled": ("ok", "ok", "ok"),  # checkout pings and reopens
    # The raw connection's error bypasses SQLAlchemy; the failed reset on check-in invalidates it.
    "sqlalchemy-recycle": ("OperationalError(2013)", "ok", "ok"),
    "sqlalchemy-pre-ping": ("ok", "ok", "ok"),
    "timer-recycle": ("OperationalError(2013)", "InterfaceError(0)", "InterfaceError(0)"),
    "tenacity-statement": ("ok", "ok", "ok"),  # the first statement is retried after reconnect
    "tenacity-transaction": ("ok", "ok", "ok"),
    "safe": ("ok", "ok", "ok"),
    # Without a replica (config.read_connection None) both are the safe strategy.
    "read-split": ("ok", "ok", "ok"),
    "read-split-gtid": ("ok", "ok", "ok"),
    # mysqlclient: 2006 once its own close has run.
    "naive-global-mysqlclient": (
        "OperationalError(2013)",
        "OperationalError(2006)",
        "OperationalError(2006)",
    ),
    "safe-mysqlclient": ("ok", "ok", "ok"),
    # mysql-connector: -1 ("MySQL Connection not available") once the killed session is seen.
    "naive-global-connector-pure": ("OperationalError(-1)",) * 3,
    "safe-connector-pure": ("ok", "ok", "ok"),
    "naive-global-connector-c": ("OperationalError(-1)",) * 3,
    "safe-connector-c": ("ok", "ok", "ok"),
    "sqlalchemy-pre-ping-mysqlclient": ("ok", "ok", "ok"),
    "sqlalchemy-pre-ping-connector-c": ("ok", "ok", "ok"),
}

# Inserts 10 then 11 with the session killed between them: the unit's outcome, the rows
# committed, the next unit's outcome. Rows (11,) is a half-applied transaction.
KILLED_BETWEEN_STATEMENTS: dict[str, tuple[str, tuple[int, ...], str]] = {
    "naive-global": ("OperationalError(2013)", (), "InterfaceError(0)"),
    "cursor-retry": ("OperationalError(2013)", (), "InterfaceError(0)"),
    "per-request": ("OperationalError(2013)", (), "ok"),
    "ping-reconnect": ("ok", (11,), "ok"),  # reconnected mid-transaction: half applied
    "dbutils-persistent": ("OperationalError(2013)", (), "ok"),  # begin(): raise, reopen
    "dbutils-pooled": ("OperationalError(2013)", (), "ok"),
    "sqlalchemy-recycle": ("OperationalError(2013)", (), "ok"),
    "sqlalchemy-pre-ping": ("OperationalError(2013)", (), "ok"),  # the ping was at checkout
    "timer-recycle": ("OperationalError(2013)", (), "InterfaceError(0)"),
    "tenacity-statement": ("ok", (11,), "ok"),  # the retried statement commits alone
    "tenacity-transaction": ("ok", (10, 11), "ok"),
    "safe": ("ok", (10, 11), "ok"),
    "read-split": ("ok", (10, 11), "ok"),
    "read-split-gtid": ("ok", (10, 11), "ok"),
    "naive-global-mysqlclient": ("OperationalError(2013)", (), "OperationalError(2006)"),
    "safe-mysqlclient": ("ok", (10, 11), "ok"),
    "naive-global-connector-pure": ("InterfaceError(2013)", (), "OperationalError(-1)"),
    "safe-connector-pure": ("ok", (10, 11), "ok"),
    "naive-global-connector-c": ("OperationalError(2013)", (), "OperationalError(-1)"),
    "safe-connector-c": ("ok", (10, 11), "ok"),
    "sqlalchemy-pre-ping-mysqlclient": ("OperationalError(2013)", (), "ok"),
    "sqlalchemy-pre-ping-connector-c": ("OperationalError(2013)", (), "ok"),
}

# Inserts 10 and 11, session killed before COMMIT (the COMMIT fails; nothing was committed).
KILLED_BEFORE_COMMIT: dict[str, tuple[str, tuple[int, ...], str]] = {
    "naive-global": ("OperationalError(2013)", (), "InterfaceError(0)"),
    "cursor-retry": ("OperationalError(2013)", (), "InterfaceError(0)"),
    "per-request": ("OperationalError(2013)", (), "ok"),
    "ping-reconnect": ("OperationalError(2013)", (), "ok"),  # commit() is not pinged
    "dbutils-persistent": ("OperationalError(2013)", (), "ok"),  # commit() reopens, re-raises
    "dbutils-pooled": ("OperationalError(2013)", (), "ok"),
    "sqlalchemy-recycle": ("OperationalError(2013)", (), "ok"),
    "sqlalchemy-pre-ping": ("OperationalError(2013)", (), "ok"),
    "timer-recycle": ("OperationalError(2013)", (), "InterfaceError(0)"),
    # Only OperationalError is retried; the closed connection's InterfaceError never is.
    "tenacity-statement": ("OperationalError(2013)", (), "InterfaceError(0)"),
    "tenacity-transaction": ("ok", (10, 11), "ok"),  # retried blindly (right here by luck)
    "safe": ("ok", (10, 11), "ok"),  # read back "not applied", then retried
    "read-split": ("ok", (10, 11), "ok"),  # safe's read-back, then the retry
    "read-split-gtid": ("ok", (10, 11), "ok"),
    "naive-global-mysqlclient": ("OperationalError(2013)", (), "OperationalError(2006)"),
    "safe-mysqlclient": ("ok", (10, 11), "ok"),
    "naive-global-connector-pure": ("InterfaceError(2013)", (), "OperationalError(-1)"),
    "safe-connector-pure": ("ok", (10, 11), "ok"),
    # The C extension's COMMIT on a killed session raises its own MySQLInterfaceError.
    "naive-global-connector-c": ("MySQLInterfaceError()", (), "OperationalError(-1)"),
    "safe-connector-c": ("ok", (10, 11), "ok"),
    "sqlalchemy-pre-ping-mysqlclient": ("OperationalError(2013)", (), "ok"),
    "sqlalchemy-pre-ping-connector-c": ("MySQLInterfaceError()", (), "ok"),
}

# Strategies that keep sessions open between units (all but per-request).
HOLDS_CONNECTIONS = frozenset(NAMES) - {"per-request"}


def test_registry_lists_the_strategies_in_a_fixed_order() -> None:
    assert NAMES == list(AFTER_IDLE_KILL)
    for name, factory in strategies().items():  # async ones too
        strategy_class = factory.load()  # imported on first use: its extra may be missing
        assert factory.name == strategy_class.name == name
        assert strategy_class.summary and "\n" not in strategy_class.summary


@pytest.mark.parametrize("name", NAMES)
def test_strategy_commits_the_unit_and_returns_the_body_result(
    name: str, config: StrategyConfig, admin: AdminSession, units: InsertUnits
) -> None:
    with strategies().get(name)(config) as strategy:
        assert strategy.run(units.insert(1, 2)) == (1, 2)
        assert admin.item_ids() == [1, 2]


@pytest.mark.parametrize("name", NAMES)
def test_close_releases_every_connection_after_concurrent_use(
    name: str, config: StrategyConfig, admin: AdminSession, units: InsertUnits
) -> None:
    strategy = strategies().get(name)(config)
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            start.wait(timeout=5)
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
        assert not errors
        assert len(admin.item_ids()) == 12
        if name in HOLDS_CONNECTIONS:
            assert admin.connection_ids()
        else:
            admin.wait_no_connections()  # each closed by its request; QUIT is asynchronous
    finally:
        strategy.close()
    admin.wait_no_connections()


@pytest.mark.parametrize("name", NAMES)
def test_units_after_the_idle_connection_is_killed_behave_as_measured(
    name: str, config: StrategyConfig, admin: AdminSession, units: InsertUnits
) -> None:
    with strategies().get(name)(config) as strategy:
        strategy.run(units.insert(1))
        if name not in HOLDS_CONNECTIONS:
            admin.wait_no_connections()  # its session may still be closing after QUIT
        killed = admin.kill_all()
        assert bool(killed) == (name in HOLDS_CONNECTIONS)
        measured = tuple(outcome(lambda i=i: strategy.run(units.insert(10 + i))) for i in range(3))
    assert measured == AFTER_IDLE_KILL[name]
    expected_rows = [1] + [10 + i for i, result in enumerate(measured) if result == "ok"]
    assert admin.item_ids() == expected_rows


@pytest.mark.parametrize("name", NAMES)
def test_kill_between_statements_fails_or_half_applies_as_measured(
    name: str, config: StrategyConfig, admin: AdminSession, units: InsertUnits
) -> None:
    with strategies().get(name)(config) as strategy:
        strategy.run(units.insert(1))
        result = outcome(lambda: strategy.run(units.insert(10, 11, kill_after=1)))
        committed = tuple(i for i in admin.item_ids() if i != 1)
        following = outcome(lambda: strategy.run(units.insert(20)))
    assert len(units.killed) == 1
    assert (result, committed, following) == KILLED_BETWEEN_STATEMENTS[name]


@pytest.mark.parametrize("name", NAMES)
def test_kill_before_commit_fails_or_retries_as_measured(
    name: str, config: StrategyConfig, admin: AdminSession, units: InsertUnits
) -> None:
    with strategies().get(name)(config) as strategy:
        strategy.run(units.insert(1))
        result = outcome(lambda: strategy.run(units.insert(10, 11, kill_after=2)))
        committed = tuple(i for i in admin.item_ids() if i != 1)
        following = outcome(lambda: strategy.run(units.insert(20)))
    assert len(units.killed) == 1
    assert (result, committed, following) == KILLED_BEFORE_COMMIT[name]
