"""Waiting for a condition: one bounded poll loop for every place the suite waits."""

from __future__ import annotations

import time
from collections.abc import Callable

DEFAULT_POLL = 0.02


def wait_until(condition: Callable[[], bool], timeout: float, poll: float = DEFAULT_POLL) -> bool:
    """Poll ``condition`` until it is true (returns True) or ``timeout`` passes (False)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(poll)
    return True
