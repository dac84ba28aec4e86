"""When each worker issues its next operation in a concurrent phase.

A pacer answers one question for the driver, "when may worker ``w`` start its next operation?"
(a time, or ``None`` for "this worker is done"), and is told every result. The driver owns the
threads and the waiting; pacers only count, so they are trivially testable.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Protocol

from chaos.workload.history import Operation, Result

#: Pause after a worker's first failed attempt in the recovery phase, doubled on each further
#: failure up to the cap: small enough not to blur recovery times, large enough that a strategy
#: failing instantly does not fill the history with thousands of attempts.
BACKOFF_FIRST = 0.01
BACKOFF_CAP = 0.2


class Pacer(Protocol):
    def next_start(self, worker: int, now: float) -> float | None: ...

    def record(self, operation: Operation) -> None: ...


class FixedCountPacer:
    """Each worker issues ``count`` operations, whatever their results: back to back, or with
    ``spacing`` > 0 its k-th (from 0) no sooner than ``spacing`` x k seconds after the first
    question asked of the pacer (the phase's start), so a later one meets what the client's own
    schedule did meanwhile (a connection replaced on a timer)."""

    def __init__(self, count: int, spacing: float = 0.0) -> None:
        self.count = count
        self.spacing = spacing
        self._start: float | None = None
        self._issued: dict[int, int] = defaultdict(int)

    def next_start(self, worker: int, now: float) -> float | None:
        if self._start is None:
            self._start = now
        issued = self._issued[worker]
        if issued >= self.count:
            return None
        return max(now, self._start + self.spacing * issued)

    def record(self, operation: Operation) -> None:
        self._issued[operation.worker] += 1


@dataclass
class _Progress:
    successes: int = 0
    after_success: int = 0
    failure_streak: int = 0
    last_complete: float = 0.0


class UntilRecoveredPacer:
    """Workers keep trying until each has succeeded and done ``after_success`` more operations.

    No operation starts at or after ``stop_at``; a worker whose last attempt failed waits an
    exponential backoff before the next one.
    """

    def __init__(self, stop_at: float, after_success: int) -> None:
        self.stop_at = stop_at
        self.after_success = after_success
        self._progress: dict[int, _Progress] = defaultdict(_Progress)

    def next_start(self, worker: int, now: float) -> float | None:
        progress = self._progress[worker]
        if progress.successes and progress.after_success >= self.after_success:
            return None
        start = now
        if progress.failure_streak:
            pause = min(BACKOFF_CAP, BACKOFF_FIRST * 2 ** (progress.failure_streak - 1))
            start = max(now, progress.last_complete + pause)
        return start if start < self.stop_at else None

    def record(self, operation: Operation) -> None:
        progress = self._progress[operation.worker]
        progress.last_complete = operation.complete
        if progress.successes:
            progress.after_success += 1
        if operation.result is Result.OK:
            progress.successes += 1
            progress.failure_streak = 0
        else:
            progress.failure_streak += 1

    def succeeded(self, worker: int) -> bool:
        return self._progress[worker].successes > 0
