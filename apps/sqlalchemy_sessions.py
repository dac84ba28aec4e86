"""What SQLAlchemy's pool needs on mysql-connector-python, so its pre-ping means what it says.

Two gaps, each measured (see the README's "Which fix"):

- the ``mysqlconnector`` dialect's disconnect check knows fewer errors than the MySQL dialect's:
  not MariaDB's 1927 nor MySQL's 4031 goodbye, nor the pure driver's "MySQL Connection not
  available" (no full stop); a pre-ping failing with one of them raises instead of reconnecting.
  A ``handle_error`` listener asks :func:`chaos.taxonomy.is_disconnect`, which knows them all;
- the C extension answers a ping on a silently made new session once keepalive has killed the
  old one (``autocommit`` back on, the session's settings gone); the pre-ping passes. A
  ``checkout`` listener compares the session id with the one the connection was made with and
  raises :class:`~sqlalchemy.exc.DisconnectionError`, on which the pool connects anew.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

from chaos.taxonomy import is_disconnect

_SESSION = "mysql_chaos_session_id"


def guard_sessions(engine: Engine, session_id: Callable[[Any], int]) -> None:
    """Make ``engine``'s pool treat every disconnect the taxonomy knows, and a silently replaced
    session, as a dead connection; ``session_id`` reads a DB-API connection's server session."""

    @event.listens_for(engine, "connect")
    def _remember(dbapi_connection: Any, record: Any) -> None:
        record.info[_SESSION] = session_id(dbapi_connection)

    @event.listens_for(engine, "checkout")
    def _same_session(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        now = session_id(dbapi_connection)
        if now != record.info.get(_SESSION):
            raise exc.DisconnectionError(
                f"session {record.info.get(_SESSION)} was silently replaced by session {now}"
            )

    @event.listens_for(engine, "handle_error")
    def _disconnects(context: Any) -> None:
        if not context.is_disconnect and is_disconnect(context.original_exception):
            context.is_disconnect = True
