"""The fixes the README's "Which fix should I use?" recommends, as strategy factories.

Each is a bundled strategy (the library as the seed's answer used it) with the one change the
matrix shows it needs: connect, read and write timeouts, so a frozen server or a black-holed link
fails a unit in seconds instead of holding a thread forever. The timeouts are the ones
``StrategyConfig.connection`` carries (the matrix gives 1 s each, as to ``safe``; an app gets
them from ``MYSQL_CHAOS_CONNECT_TIMEOUT`` ...), else 2 s to connect and 3 s to read or write;
``--option read_timeout=...`` overrides one. Check one::

    mysql-chaos check mysql_chaos_apps.fixes:sqlalchemy_pre_ping_with_timeouts
    mysql-chaos matrix --app --strategy mysql_chaos_apps.fixes:sqlalchemy_pre_ping_with_timeouts

SQLAlchemy on mysql-connector's C extension needs one more change: its pool must see every
disconnect and a silently replaced session (:mod:`mysql_chaos_apps.sqlalchemy_sessions`).
"""

from __future__ import annotations

from dataclasses import replace

from mysql_chaos_apps.sqlalchemy_sessions import guard_sessions
from mysql_chaos_apps.strategies.dbutils_persistent import DBUtilsPersistentStrategy
from mysql_chaos_apps.strategies.driver_variants import (
    SQLAlchemyPrePingConnectorCStrategy,
    SQLAlchemyPrePingMySQLclientStrategy,
)
from mysql_chaos_apps.strategies.per_request import PerRequestStrategy
from mysql_chaos_apps.strategies.sqlalchemy_pre_ping import SQLAlchemyPrePingStrategy

from chaos.drivers import driver
from chaos.strategy import Strategy, StrategyConfig

#: Used where neither ``config.extra`` nor ``config.connection`` gives a timeout.
DEFAULT_TIMEOUTS = {"connect_timeout": 2.0, "read_timeout": 3.0, "write_timeout": 3.0}


def with_timeouts(config: StrategyConfig) -> StrategyConfig:
    """``config`` whose connection settings carry the timeouts (see the module docstring)."""
    given = config.connection
    connect, read, write = (
        config.extra.get(name, getattr(given, name) or default)
        for name, default in DEFAULT_TIMEOUTS.items()
    )
    return replace(config, connection=given.with_timeouts(connect, read, write))


class _PerRequestWithTimeouts(PerRequestStrategy):
    keeps_timeouts = True


class _DBUtilsPersistentWithTimeouts(DBUtilsPersistentStrategy):
    keeps_timeouts = True


class _SQLAlchemyPrePingWithTimeouts(SQLAlchemyPrePingStrategy):
    keeps_timeouts = True


class _SQLAlchemyPrePingMySQLclientWithTimeouts(SQLAlchemyPrePingMySQLclientStrategy):
    keeps_timeouts = True


class _SQLAlchemyPrePingConnectorCGuarded(SQLAlchemyPrePingConnectorCStrategy):
    keeps_timeouts = True

    def __init__(self, config: StrategyConfig) -> None:
        super().__init__(config)
        guard_sessions(self.engine, driver(self.driver_name).thread_id)


def per_request_with_timeouts(config: StrategyConfig) -> Strategy:
    """Flask ``g`` + teardown: a connection per request, with timeouts and TLS off."""
    return _PerRequestWithTimeouts(with_timeouts(config))


def dbutils_persistent_with_timeouts(config: StrategyConfig) -> Strategy:
    """DBUtils ``PersistentDB`` (``ping=1``, ``begin()`` per transaction), with timeouts."""
    return _DBUtilsPersistentWithTimeouts(with_timeouts(config))


def sqlalchemy_pre_ping_with_timeouts(config: StrategyConfig) -> Strategy:
    """SQLAlchemy ``pool_pre_ping=True``, ``pool_recycle`` below ``wait_timeout``, timeouts."""
    return _SQLAlchemyPrePingWithTimeouts(with_timeouts(config))


def sqlalchemy_pre_ping_mysqlclient_with_timeouts(config: StrategyConfig) -> Strategy:
    """The SQLAlchemy fix on mysqlclient (``mysql+mysqldb``): pre-ping, recycle, timeouts."""
    return _SQLAlchemyPrePingMySQLclientWithTimeouts(with_timeouts(config))


def sqlalchemy_pre_ping_connector_c_with_timeouts(config: StrategyConfig) -> Strategy:
    """The SQLAlchemy fix on mysql-connector's C extension: pre-ping, recycle, timeouts, and a
    pool that sees every disconnect and a silently replaced session."""
    return _SQLAlchemyPrePingConnectorCGuarded(with_timeouts(config))
