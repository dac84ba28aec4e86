"""The seed's original client: one connection made at start-up and used forever."""

from __future__ import annotations

import threading
from typing import Any

from mysql_chaos_apps.strategies.transaction import close_quietly, run_transaction

from chaos.drivers import driver
from chaos.strategy import BaseStrategy, StrategyConfig, UnitOfWork


class NaiveGlobalStrategy(BaseStrategy):
    """A module-level connection, never checked and never replaced.

    Once the server or a middlebox drops it, every later unit fails: the first with the
    disconnect itself (2006 or 2013), the rest with ``InterfaceError(0, '')`` because pymysql
    has closed its socket and nothing ever reconnects.
    """

    name = "naive-global"
    summary = "the seed's original: one connection made at start-up, used forever, never checked"
    #: The DB-API driver (:mod:`chaos.drivers`); :mod:`.driver_variants` sets the others.
    driver_name = "pymysql"
    keeps_timeouts = False  # pymysql's defaults, as this library's users leave them

    def __init__(self, config: StrategyConfig) -> None:
        super().__init__(config)
        self._conn = driver(self.driver_name).connect(self.settings)
        # Serialised: threads sharing one pymysql connection would interleave packets and
        # corrupt the protocol, a different failure from the stale connection under test.
        self._lock = threading.Lock()

    def run(self, unit: UnitOfWork) -> Any:
        with self._lock:
            return run_transaction(self._conn, unit)

    def close(self) -> None:
        with self._lock:
            close_quietly(self._conn)
