"""tenacity around the whole transaction: body and COMMIT again on a new connection."""

from __future__ import annotations

import logging
from typing import Any

import pymysql
from mysql_chaos_apps.strategies.thread_connections import ThreadConnections
from mysql_chaos_apps.strategies.transaction import run_transaction
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

from chaos.strategy import BaseStrategy, StrategyConfig, UnitOfWork
from chaos.taxonomy import is_disconnect

log = logging.getLogger(__name__)

ATTEMPTS = 3


def _log_retry(state: RetryCallState) -> None:
    log.info(
        "transaction attempt %d failed, retrying: %r",
        state.attempt_number,
        state.outcome.exception() if state.outcome else None,
    )


class TenacityTransactionStrategy(BaseStrategy):
    """Retries the whole unit on disconnect errors, without asking whether it committed.

    A disconnect before COMMIT is retried correctly (the lost session rolled back). A disconnect
    while COMMIT's answer is in flight is retried too, and if that COMMIT had landed the unit is
    applied twice: there is no read-back.
    """

    name = "tenacity-transaction"
    summary = "tenacity retry of the whole transaction on disconnects, no read-back"
    keeps_timeouts = False  # pymysql's defaults, as this library's users leave them

    def __init__(self, config: StrategyConfig) -> None:
        super().__init__(config)
        kwargs = self.settings.pymysql_kwargs()
        self._connections = ThreadConnections(lambda: pymysql.connect(**kwargs))

    def run(self, unit: UnitOfWork) -> Any:
        # A Retrying per call: its statistics and state are per call, not per strategy.
        retrying = Retrying(
            retry=retry_if_exception(is_disconnect),
            stop=stop_after_attempt(ATTEMPTS),
            wait=wait_exponential(multiplier=0.05, max=0.5),
            before_sleep=_log_retry,
            reraise=True,
        )
        return retrying(self._attempt, unit)

    def _attempt(self, unit: UnitOfWork) -> Any:
        held = self._connections.get_or_connect()
        try:
            return run_transaction(held.conn, unit)
        except BaseException as e:
            if is_disconnect(e):
                self._connections.discard()
            raise

    def close(self) -> None:
        self._connections.close_all()
