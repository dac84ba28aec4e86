"""The reference safe strategy on aiomysql (asyncio, built on PyMySQL: the same errors)."""

from __future__ import annotations

from mysql_chaos_apps.strategies.async_safe import AsyncSafeStrategy

from chaos.strategy import AsyncConnection


class AiomysqlSafeStrategy(AsyncSafeStrategy):
    """:class:`AsyncSafeStrategy` on ``aiomysql.connect``; aiomysql has no read timeout, so the
    strategy bounds every call itself."""

    name = "aiomysql-safe"
    summary = "the safe strategy's rules on aiomysql: pre-ping, timeouts, retry, read-back"
    driver_module = "aiomysql"

    async def open_connection(self) -> AsyncConnection:
        s = self.settings
        return await self.driver.connect(
            host=s.host,
            port=s.port,
            user=s.user,
            password=s.password,
            db=s.database,
            unix_socket=s.unix_socket,
            connect_timeout=self.connect_timeout,
            autocommit=False,
            init_command=s.init_command(),  # the run's session state, again on each reconnect
        )
