"""The asker's fix from the seed: reconnect when ``cursor()`` raises."""

from __future__ import annotations

import logging
import threading
from typing import Any

import pymysql
from mysql_chaos_apps.strategies.transaction import close_quietly, run_transaction

from chaos.strategy import BaseStrategy, StrategyConfig, UnitOfWork

log = logging.getLogger(__name__)


class ReconnectingDatabase:
    """The asker's ``DB`` class: ``cursor()`` wrapped in try/except that reconnects.

    It never fires. pymysql's ``Connection.cursor()`` only builds a cursor object (it returns
    ``self.cursorclass(self)`` without touching the socket), so a dead connection is noticed by
    ``execute()``, outside the try.
    """

    def __init__(self, connect_kwargs: dict[str, Any]) -> None:
        self._connect_kwargs = connect_kwargs
        self.connect()

    def connect(self) -> None:
        self.conn = pymysql.connect(**self._connect_kwargs)

    def cursor(self) -> Any:
        try:
            cursor = self.conn.cursor()
        except Exception as e:
            # The seed printed the error; library code logs it.
            log.warning("cursor() failed, reconnecting: %r", e)
            self.connect()
            cursor = self.conn.cursor()
        return cursor

    def commit(self) -> None:
        self.conn.commit()

    def rollback(self) -> None:
        self.conn.rollback()

    def close(self) -> None:
        close_quietly(self.conn)


class CursorRetryStrategy(BaseStrategy):
    """One global :class:`ReconnectingDatabase`; fails exactly like ``naive-global``."""

    name = "cursor-retry"
    summary = "the asker's retry: reconnect when cursor() raises, which it never does"
    keeps_timeouts = False  # pymysql's defaults, as this library's users leave them

    def __init__(self, config: StrategyConfig) -> None:
        super().__init__(config)
        self._db = ReconnectingDatabase(self.settings.pymysql_kwargs())
        # One shared connection: serialise so concurrent threads cannot corrupt the protocol.
        self._lock = threading.Lock()

    def run(self, unit: UnitOfWork) -> Any:
        with self._lock:
            return run_transaction(self._db, unit)

    def close(self) -> None:
        with self._lock:
            self._db.close()
