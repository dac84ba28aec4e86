"""Waiting for a condition: one bounded poll loop for every place the suite waits.

As testcontainers' ``wait_for``: a probe called until it answers, errors the caller names as
transient ignored meanwhile (a server that does not accept connections yet), any other error
raised at once (a process that died will not come back), and a deadline after which the wait
gives up with :class:`WaitTimeout`, chained to the last transient error.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

DEFAULT_POLL = 0.02

T = TypeVar("T")


class WaitTimeout(TimeoutError):
    """The deadline passed before the probe answered."""


def wait_for(
    probe: Callable[[], T],
    timeout: float,
    *,
    transient: tuple[type[BaseException], ...] = (),
    poll: float = DEFAULT_POLL,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call ``probe`` until it returns a true value, and return that value.

    The probe is always called at least once. A ``transient`` exception counts as "not yet";
    once ``timeout`` seconds have passed after a "not yet", :class:`WaitTimeout` is raised.
    ``clock`` and ``sleep`` are for tests.
    """
    deadline = clock() + timeout
    last_error: BaseException | None = None
    while True:
        try:
            answer = probe()
            if answer:
                return answer
        except transient as e:
            last_error = e
        if clock() > deadline:
            raise WaitTimeout(f"no answer within {timeout:g} s") from last_error
        sleep(poll)


def wait_until(condition: Callable[[], bool], timeout: float, poll: float = DEFAULT_POLL) -> bool:
    """Poll ``condition`` until it is true (returns True) or ``timeout`` passes (False)."""
    try:
        return wait_for(condition, timeout, poll=poll)
    except WaitTimeout:
        return False
