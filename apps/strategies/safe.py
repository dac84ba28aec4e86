"""The reference safe strategy: it survives every fault without half- or double-applying."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from mysql_chaos_apps.strategies.session_fence import fence_session
from mysql_chaos_apps.strategies.thread_connections import HeldConnection, ThreadConnections
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential,
    wait_random,
)

from chaos.drivers import driver
from chaos.strategy import BaseStrategy, DefiniteFailure, StrategyConfig, UnitOfWork
from chaos.taxonomy import describe, is_disconnect

log = logging.getLogger(__name__)

#: Defaults used when neither ``config.extra`` nor the settings give a value.
DEFAULTS: dict[str, float] = {
    "connect_timeout": 2.0,
    "read_timeout": 3.0,
    "write_timeout": 3.0,
    "attempts": 5,
    "retry_seconds": 4.0,
    "fence_seconds": 2.0,
    # A connection used this recently is not pinged at checkout (like HikariCP's 500 ms
    # alive-bypass window); capped at a quarter of ``idle_seconds`` (the scaled wait_timeout).
    "ping_idle_seconds": 1.0,
}


@dataclass
class _RunState:
    """What one ``run()`` knows across its attempts."""

    #: Nothing of this unit is committed: no COMMIT was sent, or a read-back said "not applied".
    known_not_applied: bool = True
    #: The connection the last attempt lost; the next attempt fences its session first.
    failed: HeldConnection | None = None
    #: The lost connection was committing: its COMMIT may have landed.
    ambiguous: bool = False
    may_retry: bool = True
    result: Any = None


def _log_retry(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    log.info("attempt %d failed, retrying: %r", state.attempt_number, error)


class SafeStrategy(BaseStrategy):
    """Per-thread connections pinged at checkout when idle; whole-transaction retry on disconnects.

    - the checkout ping is skipped for a connection that finished a unit less than
      ``ping_idle_seconds`` ago: a connection lost meanwhile fails the unit's first statement
      before COMMIT, which is retried on a new connection like any other early disconnect;
    - timeouts everywhere, so a frozen server or a black-holed link fails an attempt in seconds;
    - only disconnects are retried (``chaos.taxonomy.is_disconnect``): 1062, 1205 and 1213 are
      the server's answers and propagate unchanged;
    - a disconnect before COMMIT was sent is retried: the lost session rolled back;
    - a disconnect during COMMIT is ambiguous: the next attempt fences the old session, then
      reads back ``unit.was_applied`` on a fresh connection (applied: done; not applied: retry).
      A unit without ``was_applied`` is not retried after an ambiguous COMMIT;
    - retries are bounded in attempts and time; when they run out, an unresolved COMMIT gets one
      last read-back; a unit then known not applied raises :class:`DefiniteFailure`, otherwise
      the last error propagates (unknown).

    ``config.extra`` may set any key of :data:`DEFAULTS`; the timeouts are otherwise the ones
    ``config.connection`` carries. ``driver_name`` picks the DB-API driver (:mod:`chaos.drivers`);
    :mod:`.driver_variants` runs the same policy on the others.
    """

    name = "safe"
    summary = "pre-ping at checkout, timeouts, whole-transaction retry on disconnects, read-back"
    driver_name = "pymysql"

    def __init__(self, config: StrategyConfig) -> None:
        super().__init__(config)
        options = {**DEFAULTS, **config.extra}
        # A user's option first, then what the run's settings carry, then the defaults.
        timeouts = {
            name: float(config.extra[name])
            if name in config.extra
            else getattr(self.settings, name) or float(DEFAULTS[name])
            for name in ("connect_timeout", "read_timeout", "write_timeout")
        }
        self.attempts = int(options["attempts"])
        self.retry_seconds = float(options["retry_seconds"])
        self.fence_seconds = float(options["fence_seconds"])
        self.ping_idle_seconds = min(float(options["ping_idle_seconds"]), config.idle_seconds / 4)
        # This thread's last connection that ended a unit cleanly, and when.
        self._recent = threading.local()
        self.driver = driver(self.driver_name)
        module = self.driver.load()
        # autocommit off, explicitly: a lost session must take its uncommitted work with it.
        self.connect_kwargs = self.driver.connect_kwargs(
            self.settings, autocommit=False, **timeouts
        )
        self._connections = ThreadConnections(
            lambda: module.connect(**self.connect_kwargs), session_id=self.driver.thread_id
        )

    def run(self, unit: UnitOfWork) -> Any:
        state = _RunState()
        retrying = Retrying(
            retry=retry_if_exception(lambda e: state.may_retry and is_disconnect(e)),
            stop=stop_after_attempt(self.attempts) | stop_after_delay(self.retry_seconds),
            # Short and jittered: a reconnect storm must not hit max_connections in lockstep.
            wait=wait_exponential(multiplier=0.02, max=0.5) + wait_random(0, 0.02),
            before_sleep=_log_retry,
            reraise=True,
        )
        try:
            return retrying(self._attempt, unit, state)
        except Exception as e:
            if self._settle_last(unit, state, e):
                return state.result
            if state.known_not_applied and is_disconnect(e):
                attempts = retrying.statistics.get("attempt_number", "?")
                raise DefiniteFailure(
                    f"{unit.op_id} not applied; gave up after {attempts} attempts: {describe(e)}"
                ) from e
            raise

    def _attempt(self, unit: UnitOfWork, state: _RunState) -> Any:
        if state.failed is not None:
            held = self._connections.connect_new()
            if self._settle(held, unit, state):
                return state.result
        else:
            held = self._checkout()
        try:
            state.result = unit.body(held.conn)
        except BaseException as e:
            self._after_error(held, unit, state, e, committing=False)
            raise
        try:
            held.conn.commit()
        except BaseException as e:
            self._after_error(held, unit, state, e, committing=True)
            raise
        self._recent.held, self._recent.at = held, time.monotonic()
        return state.result

    def _settle_last(self, unit: UnitOfWork, state: _RunState, error: Exception) -> bool:
        """Out of retries with a COMMIT unresolved: one last read-back may still settle it."""
        if not (state.ambiguous and unit.was_applied is not None and is_disconnect(error)):
            return False
        try:
            return self._settle(self._connections.connect_new(), unit, state)
        except Exception as e:
            log.info("%s: last read-back failed, outcome unknown: %r", unit.op_id, e)
            self._connections.discard()
            return False

    def _checkout(self) -> HeldConnection:
        held = self._connections.current()
        if held is not None:
            recent = getattr(self._recent, "held", None)
            if recent is held and time.monotonic() - self._recent.at < self.ping_idle_seconds:
                return held
            try:
                self.driver.ping(held.conn)
                return held
            except Exception as e:
                log.info("connection failed its checkout ping, replacing it: %r", e)
        return self._connections.connect_new()

    def _after_error(
        self,
        held: HeldConnection,
        unit: UnitOfWork,
        state: _RunState,
        error: BaseException,
        committing: bool,
    ) -> None:
        if not is_disconnect(error):
            # An answer from a live server: end the transaction, keep the connection if we can.
            try:
                held.conn.rollback()
            except Exception:
                self._connections.discard()
            return
        self._connections.discard()
        state.failed = held
        if committing:
            state.ambiguous = True
            state.known_not_applied = False
            # Without a read-back, a retry could apply the unit a second time.
            state.may_retry = unit.was_applied is not None

    def _settle(self, held: HeldConnection, unit: UnitOfWork, state: _RunState) -> bool:
        """Fence the lost session; after an ambiguous COMMIT read back. True: it was applied."""
        failed = state.failed
        assert failed is not None and failed.session_id is not None
        try:
            fence_session(
                held.conn,
                failed.session_id,
                failed.age(),
                self.fence_seconds,
                session_id=self.driver.thread_id,
            )
        except Exception as e:
            if state.ambiguous or is_disconnect(e):
                raise
            # Only lock release was at stake: the lost session never sent COMMIT.
            log.warning("could not fence lost session: %r", e)
        if state.ambiguous:
            assert unit.was_applied is not None
            applied = bool(unit.was_applied(held.conn))
            held.conn.rollback()  # end the read's snapshot before the retry reads again
            if applied:
                log.info("%s: ambiguous COMMIT had landed; not retrying", unit.op_id)
                state.failed = None
                return True
            state.known_not_applied, state.ambiguous = True, False
        state.failed = None
        return False

    def close(self) -> None:
        self._connections.close_all()
