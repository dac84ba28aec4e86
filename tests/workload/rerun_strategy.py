"""A deliberately broken strategy for the list-append workload's tests (test-only code).

``RerunAfterAmbiguousCommit`` re-runs the whole transaction on a fresh connection when COMMIT's
reply is lost, without reading back whether the first COMMIT landed: after an ambiguous commit
whose transaction did commit, every append is applied twice. The bank's totals cannot show
that (a transfer applied twice conserves money); the list-append checks see each value twice.
"""

from __future__ import annotations

from typing import Any

import pymysql
from mysql_chaos_apps.strategies.thread_connections import ThreadConnections
from mysql_chaos_apps.strategies.transaction import rollback_quietly

from chaos.strategy import BaseStrategy, StrategyConfig, UnitOfWork
from chaos.taxonomy import is_disconnect


class RerunAfterAmbiguousCommit(BaseStrategy):
    """On a disconnect during COMMIT it runs the transaction again, once, on a new connection."""

    def __init__(self, config: StrategyConfig) -> None:
        super().__init__(config)
        kwargs = self.settings.pymysql_kwargs(**config.extra)
        self._connections = ThreadConnections(lambda: pymysql.connect(**kwargs))

    def close(self) -> None:
        self._connections.close_all()

    def run(self, unit: UnitOfWork) -> Any:
        try:
            return self._attempt(unit)
        except pymysql.err.Error as e:
            if not is_disconnect(e):
                raise
            return self._attempt(unit)  # the bug: the first COMMIT may have landed

    def _attempt(self, unit: UnitOfWork) -> Any:
        conn = self._connections.get_or_connect().conn
        try:
            result = unit.body(conn)
            conn.commit()
        except BaseException:
            rollback_quietly(conn)
            self._connections.discard()
            raise
        return result
