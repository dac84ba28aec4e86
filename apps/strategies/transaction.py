"""What every bundled strategy does the same way: run one unit as one transaction, clean up.

Kept apart so each strategy module shows only what makes it different: where its connection
comes from and what it does when that connection fails.
"""

from __future__ import annotations

import logging
from typing import Any

from chaos.strategy import Connection, UnitOfWork

log = logging.getLogger(__name__)


def run_transaction(conn: Connection, unit: UnitOfWork) -> Any:
    """Run ``unit.body`` then COMMIT on ``conn``; return the body's result.

    When the body raises, a best-effort ROLLBACK ends the transaction so the next unit on a
    shared connection does not inherit (and later commit) half of this one. The error itself
    always propagates: deciding what it means is the strategy's job.
    """
    try:
        result = unit.body(conn)
    except BaseException:
        rollback_quietly(conn)
        raise
    conn.commit()
    return result


def rollback_quietly(conn: Connection) -> None:
    """ROLLBACK, ignoring failure: on a lost connection the server has rolled back already."""
    try:
        conn.rollback()
    except Exception as e:
        log.debug("rollback failed (connection already lost?): %r", e)


def close_quietly(conn: Connection | None) -> None:
    """Close ``conn``, ignoring 'Already closed' and socket errors."""
    if conn is None:
        return
    try:
        conn.close()
    except Exception as e:
        log.debug("close failed (already closed?): %r", e)
