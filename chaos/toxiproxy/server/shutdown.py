"""How a standalone server ends on SIGINT or SIGTERM: within a second, whatever its loop is doing.

``loop.add_signal_handler`` runs its callback on a later turn of the event loop, so a callback
that never returns (a backtracking regular expression once did, for minutes) kept the server
alive through any number of SIGTERMs. Here the handler is a plain Python signal handler instead:
it runs in the main thread between two bytecodes, even in the middle of a loop callback, and

1. asks the loop to stop (the server's normal cleanup: listeners and links closed), and
2. arms :mod:`faulthandler`'s watchdog, a C thread that needs neither the loop nor the GIL: if
   the process is still there :data:`STOP_GRACE_SECONDS` later, it writes where each thread was
   to stderr (what kept the server from stopping) and ends the process with status 1.

The watchdog is armed once: a second signal does not postpone it.
"""

from __future__ import annotations

import asyncio
import contextlib
import faulthandler
import signal
from collections.abc import Callable
from types import FrameType

#: How long the cleanup may take before the process is ended regardless.
STOP_GRACE_SECONDS = 0.8
SIGNALS = (signal.SIGINT, signal.SIGTERM)


def stop_on_signals(loop: asyncio.AbstractEventLoop, stop: Callable[[], None]) -> None:
    """On SIGINT or SIGTERM call ``stop`` on ``loop`` and end the process if it is not gone
    within :data:`STOP_GRACE_SECONDS`. Call from the main thread."""
    armed = False

    def handler(signum: int, frame: FrameType | None) -> None:
        nonlocal armed
        if not armed:
            armed = True
            faulthandler.dump_traceback_later(STOP_GRACE_SECONDS, exit=True)
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(stop)

    for signum in SIGNALS:
        signal.signal(signum, handler)
