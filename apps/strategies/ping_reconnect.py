"""``conn.ping(reconnect=True)`` before every query: the most common answer to error 2006."""

from __future__ import annotations

import threading
import warnings
from typing import Any

import pymysql
import pymysql.cursors
from mysql_chaos_apps.strategies.transaction import close_quietly, run_transaction

from chaos.strategy import BaseStrategy, Connection, StrategyConfig, UnitOfWork

# pymysql >= 1.2 warns on every reconnect=True call (and changed the default to False).
_DEPRECATION = "The 'reconnect' argument is deprecated"


def ping_with_reconnect(conn: Connection) -> None:
    """``conn.ping(reconnect=True)`` with pymysql's deprecation warning silenced.

    ``catch_warnings`` swaps process-wide filters, so it is only safe while no other thread
    does the same: callers hold the strategy's lock. A module-level filter would not do:
    pytest and ``-W error`` put their own filters in front of it.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_DEPRECATION, category=DeprecationWarning)
        conn.ping(reconnect=True)


class PingingCursor(pymysql.cursors.Cursor):
    """A cursor whose ``execute`` pings first, reconnecting the same connection object."""

    def execute(self, query: str, args: Any = None) -> int:
        ping_with_reconnect(self.connection)
        return super().execute(query, args)


class PingReconnectStrategy(BaseStrategy):
    """One global connection, pinged (and silently reconnected) before each statement.

    The reconnect happens mid-transaction too: statements before it were rolled back with the
    old session, statements after it commit on the new one, so a transfer can half-apply.
    """

    name = "ping-reconnect"
    summary = "ping(reconnect=True) before every query; reconnects mid-transaction"
    keeps_timeouts = False  # pymysql's defaults, as this library's users leave them

    def __init__(self, config: StrategyConfig) -> None:
        super().__init__(config)
        self._conn = pymysql.connect(**self.settings.pymysql_kwargs(cursorclass=PingingCursor))
        # One shared connection: serialised, and the lock also guards catch_warnings above.
        self._lock = threading.Lock()

    def run(self, unit: UnitOfWork) -> Any:
        with self._lock:
            return run_transaction(self._conn, unit)

    def close(self) -> None:
        with self._lock:
            close_quietly(self._conn)
