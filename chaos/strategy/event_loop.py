"""An async strategy behind the sync contract: its coroutines run on one event loop thread.

The workload's workers are threads (their deadlines, hang detection and history are the sync
contract's). An asyncio client, though, is one event loop with many tasks sharing its
connections or pool, and an aiomysql pool or connection belongs to the loop that made it. So
every ``run`` of a worker thread is a task on one loop that lives as long as the strategy,
and the worker thread waits for that task as it would wait for a sync ``run``: a task that never
ends (no timeout against a frozen server) leaves its worker stuck, exactly as a sync strategy
does, and the driver's hard deadline records it as a hang.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import inspect
import logging
import threading
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Any

from chaos.strategy.async_contract import AsyncStrategy, AsyncUnitOfWork

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Exited:
    """A ``SystemExit`` or ``KeyboardInterrupt`` of the strategy, carried out of the loop.

    Raised inside a task, asyncio re-raises these out of the loop itself, which would end the
    loop and leave the waiting worker blocked forever; boxed, they reach the worker thread.
    """

    error: BaseException


async def _guarded(awaitable: Awaitable[Any]) -> Any:
    try:
        return await awaitable
    except (SystemExit, KeyboardInterrupt) as e:
        return _Exited(e)


class AsyncStrategyAdapter:
    """``strategy`` (an :class:`AsyncStrategy`) as a sync strategy taking
    :class:`AsyncUnitOfWork`: ``run`` blocks the calling thread until the task on the loop ends.

    ``close`` closes the strategy on its loop (bounded by ``close_timeout``), cancels the tasks
    still running (a hung unit's worker then returns), and ends the loop's thread.
    """

    #: The workload gives this strategy :class:`AsyncUnitOfWork` (see ``chaos.workload``).
    asynchronous = True

    def __init__(self, strategy: AsyncStrategy, *, close_timeout: float = 10.0) -> None:
        self.strategy = strategy
        self.close_timeout = close_timeout
        self._loop = asyncio.new_event_loop()
        self._closed = False
        self._thread = threading.Thread(target=self._serve, name="chaos-strategy-loop", daemon=True)
        self._thread.start()

    def __getattr__(self, name: str) -> Any:
        # name, summary and other attributes of the strategy itself, for reports and apps.
        if name == "strategy":  # not set yet (a half-built adapter): no recursion
            raise AttributeError(name)
        return getattr(self.strategy, name)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_forever()
        finally:
            self._loop.close()

    def call(self, awaitable: Awaitable[Any], timeout: float | None = None) -> Any:
        """Await ``awaitable`` on the strategy's loop from any other thread."""
        future = asyncio.run_coroutine_threadsafe(_guarded(awaitable), self._loop)
        result = future.result(timeout)
        if isinstance(result, _Exited):
            raise result.error
        return result

    def run(self, unit: AsyncUnitOfWork) -> Any:
        if not isinstance(unit, AsyncUnitOfWork):
            raise TypeError(
                f"an async strategy runs AsyncUnitOfWork, not {type(unit).__name__} "
                "(chaos.workload.bank_async builds them)"
            )
        return self.call(self.strategy.run(unit))

    async def _close_strategy(self) -> None:
        result = self.strategy.close()
        if inspect.isawaitable(result):
            await result

    def close(self) -> None:
        """Close the strategy, then the loop (idempotent); the strategy's own error is raised."""
        if self._closed:
            return
        self._closed = True
        try:
            self.call(self._close_strategy(), timeout=self.close_timeout)
        except concurrent.futures.TimeoutError:
            log.warning("async strategy close() outlived %.1f s: abandoned", self.close_timeout)
        finally:
            self._stop_loop()

    def _stop_loop(self) -> None:
        async def cancel_the_rest() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            if tasks:
                await asyncio.wait(tasks, timeout=self.close_timeout)

        try:
            asyncio.run_coroutine_threadsafe(cancel_the_rest(), self._loop).result(
                self.close_timeout * 2
            )
        except (concurrent.futures.TimeoutError, RuntimeError) as e:
            log.warning("tasks of the async strategy left running: %r", e)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(self.close_timeout)

    def __enter__(self) -> AsyncStrategyAdapter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
