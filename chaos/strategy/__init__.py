"""The contract every client under test implements, and how strategies are found by name.

``contract`` is what a user implements (a factory taking a :class:`StrategyConfig` and returning
a :class:`Strategy`), ``async_contract`` its asyncio form (:class:`AsyncStrategy`, run on one
event loop by ``event_loop``); ``loading`` imports a user's ``module:factory``; ``registry``
finds the bundled strategies and any other package's through entry points.
"""

from chaos.strategy.async_contract import (
    AsyncConnection,
    AsyncStrategy,
    AsyncStrategyFactory,
    AsyncUnitOfWork,
    BaseAsyncStrategy,
    is_async_factory,
    is_async_strategy,
)
from chaos.strategy.contract import (
    BaseStrategy,
    Connection,
    DefiniteFailure,
    Strategy,
    StrategyConfig,
    StrategyFactory,
    UnitOfWork,
)
from chaos.strategy.event_loop import AsyncStrategyAdapter
from chaos.strategy.loading import build_strategy, load_factory
from chaos.strategy.registry import strategies, strategy_factory, wsgi_apps

__all__ = [
    "AsyncConnection",
    "AsyncStrategy",
    "AsyncStrategyAdapter",
    "AsyncStrategyFactory",
    "AsyncUnitOfWork",
    "BaseAsyncStrategy",
    "BaseStrategy",
    "Connection",
    "DefiniteFailure",
    "Strategy",
    "StrategyConfig",
    "StrategyFactory",
    "UnitOfWork",
    "build_strategy",
    "is_async_factory",
    "is_async_strategy",
    "load_factory",
    "strategies",
    "strategy_factory",
    "wsgi_apps",
]
