"""Shrinking a failing schedule to the smallest one that still fails: fewest faults, earliest steps.

Greedy, as property-based testing tools shrink: each candidate is smaller than the current
schedule, tried once, and kept if it still fails. First each fault alone at step 0 (a one-fault
failure is the smallest there is), then without one fault at a time, then each fault moved
earlier and made shorter. Bounded by ``attempts`` and by ``deadline`` (a clock reading); what
was found by then is the answer. ``fails`` runs a schedule and says whether it failed; the
shrinker knows nothing else of runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from chaos.soak.schedule import Schedule, ScheduledFault


@dataclass(frozen=True)
class ShrinkOutcome:
    """The smallest failing schedule found, and every candidate tried with its result."""

    schedule: Schedule
    tried: tuple[tuple[Schedule, bool], ...] = field(default=())
    #: Stopped by the attempt or time bound before every candidate was tried.
    exhausted: bool = False

    @property
    def attempts(self) -> int:
        return len(self.tried)


def shrink(
    schedule: Schedule,
    fails: Callable[[Schedule], bool],
    *,
    attempts: int,
    deadline: float = float("inf"),
    clock: Callable[[], float] = time.monotonic,
) -> ShrinkOutcome:
    """The smallest schedule below ``schedule`` (which failed) that ``fails`` still fails."""
    current = schedule
    tried: list[tuple[Schedule, bool]] = []
    seen: set[str] = {schedule.spec()}
    improved = True
    while improved:
        improved = False
        for candidate in _candidates(current):
            if candidate.spec() in seen or not candidate.valid():
                continue
            if len(tried) >= attempts or clock() >= deadline:
                return ShrinkOutcome(current, tuple(tried), exhausted=True)
            seen.add(candidate.spec())
            failed = fails(candidate)
            tried.append((candidate, failed))
            if failed:
                current, improved = candidate, True
                break
    return ShrinkOutcome(current, tuple(tried))


def _candidates(schedule: Schedule) -> Iterator[Schedule]:
    """Smaller schedules, the most promising first."""
    entries = schedule.faults
    if len(entries) > 1:
        for entry in entries:
            yield Schedule((ScheduledFault(0, entry.fault, entry.length),))
        for index in range(len(entries)):
            yield schedule.without(index)
    for index, entry in enumerate(entries):
        earliest = min((e.start for e in entries if e is not entry), default=0)
        for start in sorted({0, entry.start // 2, min(earliest, entry.start)}):
            if start < entry.start:
                yield schedule.with_entry(index, start=start)
        if entry.length > 1:
            yield schedule.with_entry(index, length=1)
