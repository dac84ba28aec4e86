"""SQLAlchemy's async engine on aiomysql with ``pool_pre_ping``: the sync pre-ping fix, awaited."""

from __future__ import annotations

from typing import Any

from mysql_chaos_apps.strategies.async_safe import import_driver

from chaos.strategy import AsyncUnitOfWork, BaseAsyncStrategy, StrategyConfig


class _Cursor:
    """The unit's ``cursor()``: statements go through SQLAlchemy (``exec_driver_sql``), so its
    disconnect handling sees every error, as ``engine.connect()`` code does."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn
        self._result: Any = None

    async def __aenter__(self) -> _Cursor:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._result = None

    async def execute(self, query: str, args: Any = None) -> None:
        self._result = await self._conn.exec_driver_sql(query, tuple(args or ()))

    async def fetchone(self) -> Any:
        return self._result.fetchone()

    async def fetchall(self) -> Any:
        return self._result.fetchall()


class _Connection:
    """An ``AsyncConnection`` of SQLAlchemy, shaped as the unit expects."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def cursor(self) -> _Cursor:
        return _Cursor(self._conn)

    async def commit(self) -> None:
        await self._conn.commit()

    async def rollback(self) -> None:
        await self._conn.rollback()


class SQLAlchemyAsyncPrePingStrategy(BaseAsyncStrategy):
    """``create_async_engine("mysql+aiomysql://...", pool_pre_ping=True, pool_recycle=...)``.

    Each unit is ``async with engine.connect()`` + COMMIT. The pool pings at checkout and
    replaces a connection whose ping fails; as in the sync engine, nothing saves a transaction
    already running when its link dies, and aiomysql has no read timeout of its own.
    """

    name = "sqlalchemy-async-pre-ping"
    summary = "SQLAlchemy async engine (aiomysql) with pool_pre_ping: ping at checkout"

    def __init__(self, config: StrategyConfig) -> None:
        super().__init__(config)
        import_driver("aiomysql", self.name)
        import_driver("greenlet", self.name)
        from sqlalchemy.ext.asyncio import create_async_engine

        s = self.settings
        connect_args: dict[str, Any] = {}
        if s.unix_socket:
            connect_args["unix_socket"] = s.unix_socket
        if s.connect_timeout is not None:
            connect_args["connect_timeout"] = s.connect_timeout
        if s.session is not None:  # the run's session state, again on each new connection
            connect_args["init_command"] = s.init_command()
        self.engine = create_async_engine(
            s.url(scheme="mysql+aiomysql"),
            pool_recycle=config.recycle_seconds,
            pool_pre_ping=True,
            connect_args=connect_args,
        )

    async def run(self, unit: AsyncUnitOfWork) -> Any:
        async with self.engine.connect() as conn:
            result = await unit.body(_Connection(conn))
            await conn.commit()
            return result

    async def close(self) -> None:
        await self.engine.dispose()
