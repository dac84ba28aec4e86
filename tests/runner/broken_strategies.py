"""Strategies with one deliberate bug each, as users write them: the gate must catch every one.

Test-only code: each is a strategy factory (``module:Class``) a user could hand to ``check``.
Each class's docstring says its bug in one line.
"""

from __future__ import annotations

import threading
from typing import Any

import pymysql
from dbutils.persistent_db import PersistentDB
from mysql_chaos_apps.strategies.thread_connections import ThreadConnections
from mysql_chaos_apps.strategies.transaction import close_quietly, rollback_quietly, run_transaction

from chaos.strategy import BaseStrategy, StrategyConfig, UnitOfWork
from chaos.taxonomy import is_disconnect


class _PerThread(BaseStrategy):
    """One pymysql connection per worker thread, replaced after it failed."""

    def __init__(self, config: StrategyConfig) -> None:
        super().__init__(config)
        kwargs = self.settings.pymysql_kwargs(**config.extra)
        self._connections = ThreadConnections(lambda: pymysql.connect(**kwargs))

    def close(self) -> None:
        self._connections.close_all()


class LostCommitAssumedApplied(_PerThread):
    """On a disconnect during COMMIT it reports ok without reading back whether it landed."""

    def run(self, unit: UnitOfWork) -> Any:
        conn = self._connections.get_or_connect().conn
        try:
            result = unit.body(conn)
        except BaseException:
            rollback_quietly(conn)
            self._connections.discard()
            raise
        try:
            conn.commit()
        except pymysql.err.Error as e:
            self._connections.discard()
            if not is_disconnect(e):
                raise
            # The bug: "the COMMIT was sent, so it surely landed".
        return result


class NeverReplacedPerThread(BaseStrategy):
    """A per-thread connection that, once broken, is never replaced."""

    def __init__(self, config: StrategyConfig) -> None:
        super().__init__(config)
        self._kwargs = self.settings.pymysql_kwargs(**config.extra)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[pymysql.Connection] = []

    def run(self, unit: UnitOfWork) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = pymysql.connect(**self._kwargs)
            with self._lock:
                self._all.append(conn)
        return run_transaction(conn, unit)

    def close(self) -> None:
        with self._lock:
            held, self._all = self._all, []
        for conn in held:
            close_quietly(conn)


class NoRollbackAfterError(_PerThread):
    """On a server error inside the transaction it commits what ran and reports ok."""

    def run(self, unit: UnitOfWork) -> Any:
        conn = self._connections.get_or_connect().conn
        try:
            result = unit.body(conn)
        except pymysql.err.Error as e:
            if is_disconnect(e):
                self._connections.discard()
                raise
            # The bug: "the error was answered, the connection still works: carry on".
            result = None
        try:
            conn.commit()
        except BaseException:
            self._connections.discard()
            raise
        return result


class AutocommitPersistentDB(BaseStrategy):
    """DBUtils PersistentDB(creator=pymysql, autocommit=True): each statement commits alone."""

    def __init__(self, config: StrategyConfig) -> None:
        super().__init__(config)
        # The seed's answer, as written there: no begin(), autocommit on.
        self._pool = PersistentDB(pymysql, autocommit=True, **self.settings.pymysql_kwargs())
        self._lock = threading.Lock()
        self._seen: list[Any] = []

    def run(self, unit: UnitOfWork) -> Any:
        conn = self._pool.connection()
        with self._lock:
            self._seen.append(conn)
        result = unit.body(conn)
        conn.commit()  # a no-op under autocommit: every statement already committed alone
        return result

    def close(self) -> None:
        with self._lock:
            seen, self._seen = self._seen, []
        for conn in seen:
            close_quietly(conn.dbapi_connection)
