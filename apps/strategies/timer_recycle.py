"""The seed answer's ``MyConnectionPool``: one connection, replaced once it is too old."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pymysql
from mysql_chaos_apps.strategies.transaction import close_quietly, run_transaction

from chaos.strategy import BaseStrategy, Connection, StrategyConfig, UnitOfWork


class TimerRecycledConnection:
    """Returns a connection no older than ``refresh_seconds``, as the seed's class did.

    Like the seed, the replaced connection is not closed: dropping the last reference makes
    pymysql's ``__del__`` close the socket without sending QUIT, which the server logs as an
    aborted connection. The seed read the wall clock; a monotonic clock keeps the scaled
    timings immune to clock steps.
    """

    def __init__(
        self,
        connect: Callable[[], Connection],
        refresh_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._connect = connect
        self.refresh_seconds = refresh_seconds
        self._clock = clock
        self.db = self._get_connection()

    @property
    def connection(self) -> Connection:
        if self.refresh <= self._clock():
            self.db = self._get_connection()
        return self.db

    def _get_connection(self) -> Connection:
        self.refresh = self._clock() + self.refresh_seconds
        return self._connect()


class TimerRecycleStrategy(BaseStrategy):
    """One global timer-recycled connection; a dead one is used until its timer runs out."""

    name = "timer-recycle"
    summary = "the seed's MyConnectionPool: one connection replaced after refresh_time"
    keeps_timeouts = False  # pymysql's defaults, as this library's users leave them

    def __init__(self, config: StrategyConfig) -> None:
        super().__init__(config)
        kwargs = self.settings.pymysql_kwargs()
        self._pool = TimerRecycledConnection(
            lambda: pymysql.connect(**kwargs), config.recycle_seconds
        )
        # One shared connection: serialised so concurrent threads cannot corrupt the protocol.
        self._lock = threading.Lock()

    def run(self, unit: UnitOfWork) -> Any:
        with self._lock:
            return run_transaction(self._pool.connection, unit)

    def close(self) -> None:
        with self._lock:
            close_quietly(self._pool.db)
