"""DBUtils ``PooledDB``: a shared pool of steady connections, checked out per unit."""

from __future__ import annotations

from typing import Any

import pymysql
from dbutils.pooled_db import PooledDB
from mysql_chaos_apps.strategies.dbutils_persistent import run_steady_transaction

from chaos.strategy import BaseStrategy, StrategyConfig, UnitOfWork


class DBUtilsPooledStrategy(BaseStrategy):
    """``PooledDB(creator=pymysql)`` with DBUtils' defaults (``ping=1``, ``reset=True``).

    Checkout pings an idle connection (``ping(False)``) and reconnects it; check-in rolls back.
    """

    name = "dbutils-pooled"
    summary = "DBUtils PooledDB: pooled steady connections, pinged at checkout, begin() per unit"
    keeps_timeouts = False  # pymysql's defaults, as this library's users leave them

    def __init__(self, config: StrategyConfig) -> None:
        super().__init__(config)
        self._pool = PooledDB(pymysql, **self.settings.pymysql_kwargs())

    def run(self, unit: UnitOfWork) -> Any:
        conn = self._pool.connection()
        try:
            return run_steady_transaction(conn, unit)
        finally:
            conn.close()  # back to the pool, not closed

    def close(self) -> None:
        self._pool.close()
