"""The clients under test: reconnect strategies behind the contract in :mod:`chaos.strategy`.

:data:`BUNDLED` is registered in ``pyproject.toml`` (entry-point group ``mysql_chaos.strategies``)
and keeps a fixed order: the seed's own code first, then the libraries the seed's answer suggested,
then retry policies, then the reference ``safe`` strategy, then the asyncio drivers' (their drivers
come with the ``async`` extra and are imported only when such a strategy is built). ``chaos`` finds
them there and never imports this package.
"""

from mysql_chaos_apps.strategies.aiomysql_safe import AiomysqlSafeStrategy
from mysql_chaos_apps.strategies.asyncmy_safe import AsyncmySafeStrategy
from mysql_chaos_apps.strategies.cursor_retry import CursorRetryStrategy
from mysql_chaos_apps.strategies.dbutils_persistent import DBUtilsPersistentStrategy
from mysql_chaos_apps.strategies.dbutils_pooled import DBUtilsPooledStrategy
from mysql_chaos_apps.strategies.naive_global import NaiveGlobalStrategy
from mysql_chaos_apps.strategies.per_request import PerRequestStrategy
from mysql_chaos_apps.strategies.ping_reconnect import PingReconnectStrategy
from mysql_chaos_apps.strategies.safe import SafeStrategy
from mysql_chaos_apps.strategies.sqlalchemy_async_pre_ping import SQLAlchemyAsyncPrePingStrategy
from mysql_chaos_apps.strategies.sqlalchemy_pre_ping import SQLAlchemyPrePingStrategy
from mysql_chaos_apps.strategies.sqlalchemy_recycle import SQLAlchemyRecycleStrategy
from mysql_chaos_apps.strategies.tenacity_statement import TenacityStatementStrategy
from mysql_chaos_apps.strategies.tenacity_transaction import TenacityTransactionStrategy
from mysql_chaos_apps.strategies.timer_recycle import TimerRecycleStrategy

#: Every bundled strategy by name, in the order the reports list them (the registry reads this).
BUNDLED = {
    strategy.name: strategy
    for strategy in (
        NaiveGlobalStrategy,
        CursorRetryStrategy,
        PerRequestStrategy,
        PingReconnectStrategy,
        DBUtilsPersistentStrategy,
        DBUtilsPooledStrategy,
        SQLAlchemyRecycleStrategy,
        SQLAlchemyPrePingStrategy,
        TimerRecycleStrategy,
        TenacityStatementStrategy,
        TenacityTransactionStrategy,
        SafeStrategy,
        # asyncio drivers (the async extra): async strategies, run on one event loop.
        SQLAlchemyAsyncPrePingStrategy,
        AiomysqlSafeStrategy,
        AsyncmySafeStrategy,
    )
}

__all__ = [
    "BUNDLED",
    "AiomysqlSafeStrategy",
    "AsyncmySafeStrategy",
    "CursorRetryStrategy",
    "DBUtilsPersistentStrategy",
    "DBUtilsPooledStrategy",
    "NaiveGlobalStrategy",
    "PerRequestStrategy",
    "PingReconnectStrategy",
    "SQLAlchemyAsyncPrePingStrategy",
    "SQLAlchemyPrePingStrategy",
    "SQLAlchemyRecycleStrategy",
    "SafeStrategy",
    "TenacityStatementStrategy",
    "TenacityTransactionStrategy",
    "TimerRecycleStrategy",
]
