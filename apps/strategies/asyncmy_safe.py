"""The reference safe strategy on asyncmy (asyncio, Cython; its own ``asyncmy.errors``)."""

from __future__ import annotations

from mysql_chaos_apps.strategies.async_safe import AsyncSafeStrategy

from chaos.strategy import AsyncConnection


class AsyncmySafeStrategy(AsyncSafeStrategy):
    """:class:`AsyncSafeStrategy` on ``asyncmy.connect``. asyncmy's errors are classes of its
    own with the same codes; ``chaos.taxonomy`` classifies them."""

    name = "asyncmy-safe"
    summary = "the safe strategy's rules on asyncmy: pre-ping, timeouts, retry, read-back"
    driver_module = "asyncmy"

    async def open_connection(self) -> AsyncConnection:
        s = self.settings
        options = {"unix_socket": s.unix_socket} if s.unix_socket else {}
        return await self.driver.connect(
            host=s.host,
            port=s.port,
            user=s.user,
            password=s.password,
            database=s.database,
            connect_timeout=self.connect_timeout,
            autocommit=False,
            init_command=s.init_command(),  # the run's session state, again on each reconnect
            **options,
        )
