"""DBUtils ``PersistentDB``: thread-mapped steady connections, as in the seed's answer."""

from __future__ import annotations

import threading
from typing import Any

import pymysql
from dbutils.persistent_db import PersistentDB
from dbutils.steady_db import SteadyDBConnection
from mysql_chaos_apps.strategies.transaction import close_quietly, rollback_quietly

from chaos.strategy import BaseStrategy, StrategyConfig, UnitOfWork


def run_steady_transaction(conn: SteadyDBConnection, unit: UnitOfWork) -> Any:
    """DBUtils' documented transaction API: ``begin()``, body, ``commit()``.

    ``begin()`` is what tells SteadyDB a transaction is open; without it SteadyDB would
    transparently reconnect and re-execute a failed statement mid-transaction. ``begin()`` sits
    inside the try on purpose: when it fails, SteadyDB has already set its transaction flag,
    which disables every later reconnect until ``rollback()`` clears it.
    """
    try:
        conn.begin()
        result = unit.body(conn)
        conn.commit()
    except BaseException:
        # SteadyDB's rollback() also reopens a broken connection before re-raising.
        rollback_quietly(conn)
        raise
    return result


class DBUtilsPersistentStrategy(BaseStrategy):
    """``PersistentDB(creator=pymysql)`` with DBUtils' defaults (``ping=1``, default failures).

    ``connection()`` pings the thread's connection (``ping(False)``) and reconnects it when not
    inside a transaction, so an idle connection lost between units is replaced; a connection lost
    inside a transaction is replaced too, but the error is raised to the caller.
    """

    name = "dbutils-persistent"
    summary = "DBUtils PersistentDB: one steady connection per thread, pinged when requested"
    keeps_timeouts = False  # pymysql's defaults, as this library's users leave them

    def __init__(self, config: StrategyConfig) -> None:
        super().__init__(config)
        self._pool = PersistentDB(pymysql, **self.settings.pymysql_kwargs())
        # PersistentDB keeps connections in thread-locals it never enumerates; remember them so
        # close() can reach every thread's.
        self._lock = threading.Lock()
        self._seen: dict[int, SteadyDBConnection] = {}

    def run(self, unit: UnitOfWork) -> Any:
        conn = self._pool.connection()
        with self._lock:
            self._seen[id(conn)] = conn
        return run_steady_transaction(conn, unit)

    def close(self) -> None:
        with self._lock:
            seen, self._seen = list(self._seen.values()), {}
        for conn in seen:
            # PersistentDB's connections ignore close() (closeable=False, the seed's default);
            # close the current underlying pymysql connection instead.
            close_quietly(conn.dbapi_connection)
