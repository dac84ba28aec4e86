"""The reference safe strategy's rules on an asyncio driver (the driver is a subclass's choice)."""

from __future__ import annotations

import asyncio
import importlib
import logging
import time
from abc import abstractmethod
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from mysql_chaos_apps.strategies.async_session_fence import fence_session_async
from mysql_chaos_apps.strategies.async_timeouts import TimedConnection
from mysql_chaos_apps.strategies.safe import DEFAULTS, _log_retry, _RunState
from tenacity import (
    AsyncRetrying,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential,
    wait_random,
)

from chaos.strategy import (
    AsyncConnection,
    AsyncUnitOfWork,
    BaseAsyncStrategy,
    DefiniteFailure,
    StrategyConfig,
)
from chaos.taxonomy import describe, is_disconnect

log = logging.getLogger(__name__)


def import_driver(name: str, strategy: str) -> ModuleType:
    """The asyncio driver module, or an ImportError naming the extra that installs it."""
    try:
        return importlib.import_module(name)
    except ImportError as e:
        raise ImportError(
            f"{strategy} needs {name}: pip install 'mysql-chaos[async]'", name=name
        ) from e


@dataclass(eq=False)
class _Held:
    conn: TimedConnection
    connected_at: float = field(default_factory=time.monotonic)
    released_at: float = 0.0

    def age(self) -> float:
        return time.monotonic() - self.connected_at


class AsyncSafeStrategy(BaseAsyncStrategy):
    """:class:`~mysql_chaos_apps.strategies.safe.SafeStrategy`'s rules, awaited.

    A pool of idle connections stands in for the sync strategy's connection per thread (on one
    event loop, tasks are the threads): a connection idle longer than ``ping_idle_seconds`` is
    pinged at checkout; every statement, fetch and COMMIT is bounded by the read timeout
    (:mod:`.async_timeouts`: aiomysql has none of its own); only disconnects are retried, the
    whole transaction, bounded in attempts and time; a disconnect during COMMIT fences the lost
    session and reads back ``unit.was_applied`` before any retry; a unit known not applied when
    the retries run out raises :class:`DefiniteFailure`. ``config.extra`` may set any key of
    :data:`~mysql_chaos_apps.strategies.safe.DEFAULTS`.
    """

    #: The asyncio driver's module, imported when the strategy is built.
    driver_module = ""

    def __init__(self, config: StrategyConfig) -> None:
        super().__init__(config)
        self.driver = import_driver(self.driver_module, self.name)
        options = {**DEFAULTS, **config.extra}
        self.connect_timeout, self.read_timeout = (
            getattr(self.settings, name) or float(options[name])
            for name in ("connect_timeout", "read_timeout")
        )
        self.attempts = int(options["attempts"])
        self.retry_seconds = float(options["retry_seconds"])
        self.fence_seconds = float(options["fence_seconds"])
        self.ping_idle_seconds = min(float(options["ping_idle_seconds"]), config.idle_seconds / 4)
        self._idle: list[_Held] = []
        self._open: set[_Held] = set()

    @abstractmethod
    async def open_connection(self) -> AsyncConnection:
        """A new connection with autocommit off (a lost session takes its work with it)."""

    async def run(self, unit: AsyncUnitOfWork) -> Any:
        state = _RunState()
        retrying = AsyncRetrying(
            retry=retry_if_exception(lambda e: state.may_retry and is_disconnect(e)),
            stop=stop_after_attempt(self.attempts) | stop_after_delay(self.retry_seconds),
            wait=wait_exponential(multiplier=0.02, max=0.5) + wait_random(0, 0.02),
            before_sleep=_log_retry,
            reraise=True,
        )
        try:
            return await retrying(self._attempt, unit, state)
        except Exception as e:
            if await self._settle_last(unit, state, e):
                return state.result
            if state.known_not_applied and is_disconnect(e):
                attempts = retrying.statistics.get("attempt_number", "?")
                raise DefiniteFailure(
                    f"{unit.op_id} not applied; gave up after {attempts} attempts: {describe(e)}"
                ) from e
            raise

    async def _attempt(self, unit: AsyncUnitOfWork, state: _RunState) -> Any:
        if state.failed is not None:
            held = await self._connect()
            try:
                settled = await self._settle(held, unit, state)
            except BaseException:
                self._discard(held)
                raise
            if settled:
                self._release(held)
                return state.result
        else:
            held = await self._checkout()
        try:
            state.result = await unit.body(held.conn)
        except BaseException as e:
            await self._after_error(held, unit, state, e, committing=False)
            raise
        try:
            await held.conn.commit()
        except BaseException as e:
            await self._after_error(held, unit, state, e, committing=True)
            raise
        self._release(held)
        return state.result

    async def _connect(self) -> _Held:
        raw = await asyncio.wait_for(
            self.open_connection(), self.connect_timeout + self.read_timeout
        )
        held = _Held(TimedConnection(raw, self.read_timeout))
        self._open.add(held)
        return held

    async def _checkout(self) -> _Held:
        while self._idle:
            held = self._idle.pop()
            if time.monotonic() - held.released_at < self.ping_idle_seconds:
                return held
            try:
                await held.conn.ping()
                return held
            except Exception as e:
                log.info("connection failed its checkout ping, replacing it: %r", e)
                self._discard(held)
        return await self._connect()

    def _release(self, held: _Held) -> None:
        held.released_at = time.monotonic()
        self._idle.append(held)

    def _discard(self, held: _Held) -> None:
        self._open.discard(held)
        held.conn.close()

    async def _after_error(
        self,
        held: _Held,
        unit: AsyncUnitOfWork,
        state: _RunState,
        error: BaseException,
        committing: bool,
    ) -> None:
        if isinstance(error, asyncio.CancelledError):
            self._discard(held)  # cut mid-exchange: unusable, and no time to roll back
            return
        if not is_disconnect(error):
            try:
                await held.conn.rollback()
                self._release(held)
            except Exception:
                self._discard(held)
            return
        self._discard(held)
        state.failed = held  # type: ignore[assignment]
        if committing:
            state.ambiguous = True
            state.known_not_applied = False
            state.may_retry = unit.was_applied is not None

    async def _settle(self, held: _Held, unit: AsyncUnitOfWork, state: _RunState) -> bool:
        """Fence the lost session; after an ambiguous COMMIT read back. True: it was applied."""
        failed = state.failed
        assert failed is not None
        try:
            await fence_session_async(
                held.conn, failed.conn.thread_id(), failed.age(), self.fence_seconds
            )
        except Exception as e:
            if state.ambiguous or is_disconnect(e):
                raise
            log.warning("could not fence lost session: %r", e)
        if state.ambiguous:
            assert unit.was_applied is not None
            applied = bool(await unit.was_applied(held.conn))
            await held.conn.rollback()
            if applied:
                log.info("%s: ambiguous COMMIT had landed; not retrying", unit.op_id)
                state.failed = None
                return True
            state.known_not_applied, state.ambiguous = True, False
        state.failed = None
        return False

    async def _settle_last(self, unit: AsyncUnitOfWork, state: _RunState, error: Exception) -> bool:
        """Out of retries with a COMMIT unresolved: one last read-back may still settle it."""
        if not (state.ambiguous and unit.was_applied is not None and is_disconnect(error)):
            return False
        held = None
        try:
            held = await self._connect()
            settled = await self._settle(held, unit, state)
        except Exception as e:
            log.info("%s: last read-back failed, outcome unknown: %r", unit.op_id, e)
            if held is not None:
                self._discard(held)
            return False
        self._release(held)
        return settled

    async def close(self) -> None:
        held, self._open, self._idle = list(self._open), set(), []
        for one in held:
            one.conn.close()
