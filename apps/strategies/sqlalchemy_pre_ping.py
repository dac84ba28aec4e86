"""SQLAlchemy's pool with ``pool_pre_ping``: a ping at every checkout."""

from __future__ import annotations

from mysql_chaos_apps.strategies.sqlalchemy_recycle import SQLAlchemyRecycleStrategy


class SQLAlchemyPrePingStrategy(SQLAlchemyRecycleStrategy):
    """``pool_recycle`` plus ``pool_pre_ping=True``.

    The dialect pings with ``ping(False)`` at checkout and reconnects when the error is a
    disconnect; it cannot save a transaction already running when the link dies.
    """

    name = "sqlalchemy-pre-ping"
    summary = "SQLAlchemy pool_pre_ping: ping at checkout, reconnect when the ping fails"
    pre_ping = True
