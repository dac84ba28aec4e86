"""The safe strategy's session fence (:mod:`.session_fence`) over an async connection.

Same rule, awaited: after a COMMIT whose answer was lost, the old session must be gone from the
server before a read-back may say "not applied".
"""

from __future__ import annotations

import asyncio
import logging
import time

from mysql_chaos_apps.strategies.async_timeouts import TimedConnection
from mysql_chaos_apps.strategies.session_fence import ER_NO_SUCH_THREAD, SessionFenceTimeout

from chaos.taxonomy import error_code

log = logging.getLogger(__name__)


async def fence_session_async(
    conn: TimedConnection,
    thread_id: int,
    age_seconds: float,
    timeout: float,
    poll_seconds: float = 0.01,
) -> None:
    """Return once session ``thread_id`` (opened ``age_seconds`` ago) cannot commit any more."""
    async with conn.cursor() as cursor:
        await cursor.execute("SHOW GLOBAL STATUS LIKE 'Uptime'")
        row = await cursor.fetchone()
        uptime = float(row[1]) if row else 0.0
        # A restart since then gave the old id to nobody we could harm: nothing to fence.
        if uptime < age_seconds - 1 or conn.thread_id() <= thread_id:
            log.info("server restarted since session %d was opened: nothing to fence", thread_id)
            return
        deadline = time.monotonic() + timeout
        while True:
            try:
                await cursor.execute("KILL CONNECTION %s", (thread_id,))
            except Exception as e:
                if error_code(e) == ER_NO_SUCH_THREAD:
                    return
                raise
            if time.monotonic() >= deadline:
                raise SessionFenceTimeout(f"session {thread_id} still present after {timeout} s")
            await asyncio.sleep(poll_seconds)
