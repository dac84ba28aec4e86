"""The clients under test: reconnect strategies behind one interface, registered by name.

The order is fixed: the seed's own code first, then the libraries the seed's answer suggested,
then retry policies, then the reference ``safe`` strategy. Users add their own with
``load_factory("module:factory")``.
"""

from __future__ import annotations

from apps.strategies.base import (
    BaseStrategy,
    DefiniteFailure,
    Strategy,
    StrategyConfig,
    StrategyFactory,
    UnitOfWork,
)
from apps.strategies.cursor_retry import CursorRetryStrategy
from apps.strategies.dbutils_persistent import DBUtilsPersistentStrategy
from apps.strategies.dbutils_pooled import DBUtilsPooledStrategy
from apps.strategies.loading import build_strategy, load_factory
from apps.strategies.naive_global import NaiveGlobalStrategy
from apps.strategies.per_request import PerRequestStrategy
from apps.strategies.ping_reconnect import PingReconnectStrategy
from apps.strategies.safe import SafeStrategy
from apps.strategies.sqlalchemy_pre_ping import SQLAlchemyPrePingStrategy
from apps.strategies.sqlalchemy_recycle import SQLAlchemyRecycleStrategy
from apps.strategies.tenacity_statement import TenacityStatementStrategy
from apps.strategies.tenacity_transaction import TenacityTransactionStrategy
from apps.strategies.timer_recycle import TimerRecycleStrategy
from chaos.registry import Registry

STRATEGIES: Registry[StrategyFactory] = Registry("strategy")

for _strategy in (
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
):
    STRATEGIES.add(_strategy.name, _strategy)
del _strategy

__all__ = [
    "STRATEGIES",
    "BaseStrategy",
    "CursorRetryStrategy",
    "DBUtilsPersistentStrategy",
    "DBUtilsPooledStrategy",
    "DefiniteFailure",
    "NaiveGlobalStrategy",
    "PerRequestStrategy",
    "PingReconnectStrategy",
    "SQLAlchemyPrePingStrategy",
    "SQLAlchemyRecycleStrategy",
    "SafeStrategy",
    "Strategy",
    "StrategyConfig",
    "StrategyFactory",
    "TenacityStatementStrategy",
    "TenacityTransactionStrategy",
    "TimerRecycleStrategy",
    "UnitOfWork",
    "build_strategy",
    "load_factory",
]
