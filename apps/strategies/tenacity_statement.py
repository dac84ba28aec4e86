"""tenacity around each ``cursor.execute``: retry a failed statement on a new connection."""

from __future__ import annotations

import logging
from typing import Any

import pymysql
import pymysql.cursors
from mysql_chaos_apps.strategies.thread_connections import ThreadConnections
from mysql_chaos_apps.strategies.transaction import run_transaction
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_fixed

from chaos.strategy import BaseStrategy, Connection, StrategyConfig, UnitOfWork

log = logging.getLogger(__name__)

ATTEMPTS = 3
WAIT_SECONDS = 0.05


def reconnect(conn: Connection) -> None:
    """Close (if still open) and reopen the same pymysql connection object."""
    try:
        conn.close()
    except pymysql.err.Error as e:
        log.debug("close before reconnect failed: %r", e)
    conn.connect()


class RetryingCursor(pymysql.cursors.Cursor):
    """``execute`` retried on ``OperationalError``, reconnecting before each retry.

    The retried statement runs in a new session: whatever the transaction did before it was
    rolled back with the old one, so the unit commits only its tail. Only
    ``OperationalError`` is retried, as the usual decorator says; a connection pymysql already
    closed raises ``InterfaceError(0, '')``, which is not retried, so after a failed COMMIT
    (which closes the socket) every later statement fails and nothing ever reconnects it.
    """

    def execute(self, query: str, args: Any = None) -> int:
        conn = self.connection
        for attempt in Retrying(
            retry=retry_if_exception_type(pymysql.err.OperationalError),
            stop=stop_after_attempt(ATTEMPTS),
            wait=wait_fixed(WAIT_SECONDS),
            reraise=True,
        ):
            with attempt:
                if attempt.retry_state.attempt_number > 1:
                    log.info("retrying statement on a new connection: %.60s", query)
                    reconnect(conn)
                rows = super().execute(query, args)
        return rows


class TenacityStatementStrategy(BaseStrategy):
    """Thread-mapped connections whose cursors retry each statement."""

    name = "tenacity-statement"
    summary = "tenacity retry of each statement on OperationalError, reconnecting first"
    keeps_timeouts = False  # pymysql's defaults, as this library's users leave them

    def __init__(self, config: StrategyConfig) -> None:
        super().__init__(config)
        kwargs = self.settings.pymysql_kwargs(cursorclass=RetryingCursor)
        self._connections = ThreadConnections(lambda: pymysql.connect(**kwargs))

    def run(self, unit: UnitOfWork) -> Any:
        return run_transaction(self._connections.get_or_connect().conn, unit)

    def close(self) -> None:
        self._connections.close_all()
