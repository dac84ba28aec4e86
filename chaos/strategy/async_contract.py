"""The contract for asyncio clients: ``async def run(unit)``, beside the sync one.

An async strategy is what a user of aiomysql, asyncmy or SQLAlchemy's async engine writes: a
factory takes the same :class:`~chaos.strategy.contract.StrategyConfig` and returns an object
whose ``run`` and ``close`` are coroutine functions. It runs an :class:`AsyncUnitOfWork` (an async
function of an async connection) as one transaction and reports as a sync strategy does:

- it returns the body's result: the transaction committed (``ok``);
- it raises :class:`~chaos.strategy.contract.DefiniteFailure`: nothing was applied (``fail``);
- it raises anything else, a timeout or a cancellation included: ``unknown``.

The workload runs it on one event loop of its own (:mod:`chaos.strategy.event_loop`), so the
history, the deadlines and the checker are those of a sync strategy.
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from chaos.strategy.contract import StrategyConfig

#: What an async unit receives: an aiomysql-style connection. ``cursor()`` works as
#: ``async with conn.cursor() as cursor``; ``cursor.execute``, ``fetchone``, ``fetchall``,
#: ``conn.commit()`` and ``conn.rollback()`` are awaited. aiomysql's and asyncmy's connections
#: are such objects as they come.
AsyncConnection = Any


@dataclass(frozen=True)
class AsyncUnitOfWork:
    """One transaction's worth of work for an async strategy; see
    :class:`~chaos.strategy.contract.UnitOfWork`, whose fields it mirrors with coroutines."""

    op_id: str
    body: Callable[[AsyncConnection], Awaitable[Any]]
    was_applied: Callable[[AsyncConnection], Awaitable[bool]] | None = None
    read_only: bool = False


@runtime_checkable
class AsyncStrategy(Protocol):
    """Runs async units of work against a database and is closed at the end."""

    async def run(self, unit: AsyncUnitOfWork) -> Any: ...

    async def close(self) -> None: ...


AsyncStrategyFactory = Callable[[StrategyConfig], AsyncStrategy]


def is_async_strategy(strategy: object) -> bool:
    """Whether ``strategy.run`` is a coroutine function (it follows this module's contract)."""
    return inspect.iscoroutinefunction(getattr(strategy, "run", None))


def is_async_factory(factory: object) -> bool:
    """Whether ``factory`` is a class of async strategies (read without building one; a factory
    function cannot tell before it is called, and counts as sync). A factory with ``load()``
    (a bundled one, imported on first use) is judged by the class it loads."""
    load = getattr(factory, "load", None)
    if not isinstance(factory, type) and callable(load):
        factory = load()
    return isinstance(factory, type) and inspect.iscoroutinefunction(getattr(factory, "run", None))


class BaseAsyncStrategy(ABC):
    """Convenience base for the bundled async strategies: a name, a summary, ``close``."""

    name: str = ""
    summary: str = ""

    def __init__(self, config: StrategyConfig) -> None:
        self.config = config
        self.settings = config.connection

    @abstractmethod
    async def run(self, unit: AsyncUnitOfWork) -> Any: ...

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections; strategies holding none need not override."""
