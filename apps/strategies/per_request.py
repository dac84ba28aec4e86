"""The seed answer's Flask pattern: a connection per request, kept in ``flask.g``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pymysql
from flask import Flask, g
from mysql_chaos_apps.strategies.transaction import run_transaction

from chaos.strategy import BaseStrategy, Connection, StrategyConfig, UnitOfWork


def create_per_request_app(connect_kwargs: dict[str, Any]) -> tuple[Flask, Callable[[], Any]]:
    """A Flask app with the seed's ``get_db()`` and teardown; returns the app and ``get_db``.

    The seed also passed ``autocommit=True`` and ``DictCursor``; units need one transaction and
    tuple rows, so pymysql's defaults are kept.
    """
    app = Flask(__name__)

    def get_db() -> Connection:
        """Opens a new database connection per application context."""
        if not hasattr(g, "db"):
            g.db = pymysql.connect(**connect_kwargs)
        return g.db

    @app.teardown_appcontext
    def close_db(error: BaseException | None) -> None:
        """Closes the database connection at the end of the request."""
        if hasattr(g, "db"):
            g.db.close()

    return app, get_db


class PerRequestStrategy(BaseStrategy):
    """Each ``run()`` pushes an application context, as Flask does for a request.

    Nothing outlives a request, so stale connections cannot exist; the price is a connect and
    handshake per request, and a failure mid-request is not retried.
    """

    name = "per-request"
    summary = "the seed's Flask pattern: connect per request in flask.g, close in teardown"
    keeps_timeouts = False  # pymysql's defaults, as this library's users leave them

    def __init__(self, config: StrategyConfig) -> None:
        super().__init__(config)
        self.app, self._get_db = create_per_request_app(self.settings.pymysql_kwargs())

    def run(self, unit: UnitOfWork) -> Any:
        with self.app.app_context():
            return run_transaction(self._get_db(), unit)
