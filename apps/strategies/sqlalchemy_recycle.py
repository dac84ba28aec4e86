"""SQLAlchemy's pool with ``pool_recycle``: the seed answer's ``SQLALCHEMY_POOL_RECYCLE``."""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine

from chaos.drivers import driver
from chaos.strategy import BaseStrategy, StrategyConfig, UnitOfWork

# Given by the URL; everything else the driver's adapter gives (TLS off, timeouts, socket) is
# passed through connect_args unchanged.
_URL_KEYS = frozenset({"host", "port", "user", "password", "database"})


class SQLAlchemyRecycleStrategy(BaseStrategy):
    """A ``QueuePool`` whose connections are replaced at checkout once older than the recycle.

    Units get ``engine.raw_connection()``, the pool's DB-API proxy. Errors raised through a raw
    connection bypass SQLAlchemy's disconnect handling; the dead connection is only discarded
    when its reset (ROLLBACK) fails on check-in, so the unit that meets it fails and the next one
    gets a fresh connection.
    """

    name = "sqlalchemy-recycle"
    summary = "SQLAlchemy pool_recycle: connections older than the recycle time are replaced"
    keeps_timeouts = False  # pymysql's defaults, as this library's users leave them
    pre_ping = False
    #: The DB-API driver under the engine (:mod:`chaos.drivers`); :mod:`.driver_variants` sets
    #: the others.
    driver_name = "pymysql"

    def __init__(self, config: StrategyConfig) -> None:
        super().__init__(config)
        under = driver(self.driver_name)
        under.load()
        kwargs = under.connect_kwargs(self.settings)
        self.engine = create_engine(
            self.settings.url(under.sqlalchemy_scheme),
            pool_recycle=config.recycle_seconds,
            pool_pre_ping=self.pre_ping,
            connect_args={k: v for k, v in kwargs.items() if k not in _URL_KEYS},
        )

    def run(self, unit: UnitOfWork) -> Any:
        conn = self.engine.raw_connection()
        try:
            result = unit.body(conn)
            conn.commit()
            return result
        finally:
            # Check-in resets (rolls back) the connection, and invalidates it if that fails.
            conn.close()

    def close(self) -> None:
        self.engine.dispose()
