"""Tiny real async strategies for the driver tests: an aiomysql connection per unit of work."""

from __future__ import annotations

from typing import Any

from chaos.settings import ConnectionSettings
from chaos.strategy import AsyncUnitOfWork, DefiniteFailure, StrategyConfig


class PerUnitAiomysqlStrategy:
    """Open, run the body, commit, close: the async form of the simplest correct strategy."""

    def __init__(self, config: StrategyConfig) -> None:
        self.settings: ConnectionSettings = config.connection

    async def run(self, unit: AsyncUnitOfWork) -> Any:
        import aiomysql

        s = self.settings
        conn = await aiomysql.connect(
            host=s.host, port=s.port, user=s.user, password=s.password, db=s.database
        )
        try:
            result = await unit.body(conn)
            await self.commit(unit, conn)
            return result
        finally:
            conn.close()  # closing without COMMIT rolls back

    async def commit(self, unit: AsyncUnitOfWork, conn: Any) -> None:
        await conn.commit()

    async def close(self) -> None:
        pass


class LyingAiomysqlStrategy(PerUnitAiomysqlStrategy):
    """Commits ``w0-2`` and then reports it as definitely failed: a false failure to catch."""

    async def commit(self, unit: AsyncUnitOfWork, conn: Any) -> None:
        await conn.commit()
        if unit.op_id == "w0-2":
            raise DefiniteFailure("claimed not applied")
