"""The clients under test: reconnect strategies behind the contract in :mod:`chaos.strategy`.

:data:`BUNDLED` is registered in ``pyproject.toml`` (entry-point group ``mysql_chaos.strategies``)
and keeps a fixed order: the seed's own code first, then the libraries the seed's answer suggested,
then retry policies, then the reference ``safe`` strategy; then the naive and safe strategies on
the other drivers (mysqlclient, mysql-connector-python). ``chaos`` finds them there and never
imports this package.
"""

from mysql_chaos_apps.strategies.cursor_retry import CursorRetryStrategy
from mysql_chaos_apps.strategies.dbutils_persistent import DBUtilsPersistentStrategy
from mysql_chaos_apps.strategies.dbutils_pooled import DBUtilsPooledStrategy
from mysql_chaos_apps.strategies.driver_variants import NAIVE_GLOBAL_VARIANTS, SAFE_VARIANTS
from mysql_chaos_apps.strategies.naive_global import NaiveGlobalStrategy
from mysql_chaos_apps.strategies.per_request import PerRequestStrategy
from mysql_chaos_apps.strategies.ping_reconnect import PingReconnectStrategy
from mysql_chaos_apps.strategies.safe import SafeStrategy
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
        *NAIVE_GLOBAL_VARIANTS,
        *SAFE_VARIANTS,
    )
}

__all__ = [
    "BUNDLED",
    "CursorRetryStrategy",
    "DBUtilsPersistentStrategy",
    "DBUtilsPooledStrategy",
    "NaiveGlobalStrategy",
    "PerRequestStrategy",
    "PingReconnectStrategy",
    "SQLAlchemyPrePingStrategy",
    "SQLAlchemyRecycleStrategy",
    "SafeStrategy",
    "TenacityStatementStrategy",
    "TenacityTransactionStrategy",
    "TimerRecycleStrategy",
]
