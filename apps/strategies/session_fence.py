"""Make sure a lost session can no longer commit anything, before reading back what it did.

After a COMMIT whose answer never arrived, a fresh connection's read-back is only conclusive once
the old session is gone: a COMMIT still queued in a proxy or a slow server could otherwise land
after the read-back said "not applied", and the retry would apply the unit twice. Killing the
old session and waiting until the server has forgotten it closes that window (late bytes hit a
closed socket). Killing it also frees the row locks its rolled-back transaction may still hold.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from chaos.strategy import Connection
from chaos.taxonomy import error_code

log = logging.getLogger(__name__)

ER_NO_SUCH_THREAD = 1094


class SessionFenceTimeout(Exception):
    """The old session was still on the server when the fence gave up (not a disconnect)."""


def fence_session(
    conn: Connection,
    thread_id: int,
    age_seconds: float,
    timeout: float,
    poll_seconds: float = 0.01,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    session_id: Callable[[Connection], int] = lambda conn: conn.thread_id(),
) -> None:
    """Return once session ``thread_id`` (opened ``age_seconds`` ago) cannot commit any more.

    Thread ids restart at 1 when the server restarts, so an old id may belong to someone else's
    session by now: when the server's uptime is shorter than the old session's age, or the fresh
    session's id is not above the old one, the server has restarted and the old session is gone.
    ``session_id`` reads ``conn``'s own id (``thread_id()`` in PyMySQL and mysqlclient).
    """
    with conn.cursor() as cursor:
        cursor.execute("SHOW GLOBAL STATUS LIKE 'Uptime'")
        row = cursor.fetchone()
        uptime = float(row[1]) if row else 0.0
        # Uptime is whole seconds, truncated: allow one second before calling it a restart.
        if uptime < age_seconds - 1 or session_id(conn) <= thread_id:
            log.info("server restarted since session %d was opened: nothing to fence", thread_id)
            return
        # KILL again until the server no longer knows the id: it unlists a session only after
        # rolling its transaction back. (Not a poll of information_schema.PROCESSLIST: that
        # query crashed MariaDB 10.11.19 here, freeing its on-disk temporary table.)
        deadline = clock() + timeout
        while True:
            try:
                cursor.execute("KILL CONNECTION %s", (thread_id,))
            except Exception as e:  # any driver's error: the code tells which
                if error_code(e) == ER_NO_SUCH_THREAD:
                    return
                raise
            if clock() >= deadline:
                raise SessionFenceTimeout(f"session {thread_id} still present after {timeout} s")
            sleep(poll_seconds)
