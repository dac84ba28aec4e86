"""A soak: one seeded schedule of faults against a live workload, shrunk when it fails.

Each run of a schedule is a matrix cell (:func:`chaos.runner.cell.run_cell`) whose fault is the
whole schedule (:mod:`chaos.runner.soak_faults`), judged by the same checker. A run *fails* when
the checker finds a violation other than ``unexercised`` (a schedule whose faults struck nothing
tested nothing, which is no failure of the strategy); a run that errors or skips fails nothing
either, so the shrinker never shrinks towards a broken world.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from chaos import lifecycle
from chaos.checker import ViolationKind
from chaos.faults import Fault, Need
from chaos.runner.cell import run_cell
from chaos.runner.environment import Backend
from chaos.runner.preflight import require_local_servers
from chaos.runner.soak_faults import ScheduledFaults, schedule_fault_phase
from chaos.runner.timing import CellTiming
from chaos.soak.schedule import Schedule
from chaos.soak.shrink import ShrinkOutcome, shrink
from chaos.strategy import StrategyFactory
from chaos.verdicts.cell_result import CellResult

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SoakRun:
    """One schedule run: the schedule and the cell's result."""

    schedule: Schedule
    result: CellResult

    @property
    def failed(self) -> bool:
        return failed(self.result)


@dataclass(frozen=True)
class SoakOutcome:
    """The first run, and where it failed, the smallest failing run the shrinker found."""

    first: SoakRun
    shrunk: ShrinkOutcome | None = None
    smallest: SoakRun | None = None
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        return self.first.failed


def failed(result: CellResult) -> bool:
    """A violation other than ``unexercised`` in a run that ran."""
    if result.check is None:
        return False
    return any(v.kind is not ViolationKind.UNEXERCISED for v in result.check.violations)


@contextlib.contextmanager
def _toxiproxy_for(faults: list[type[Fault]], given: object | None) -> Iterator[object | None]:
    if given is not None or not any(Need.PROXY in fault.needs for fault in faults):
        yield given
        return
    from chaos.toxiproxy.embedded import toxiproxy_from_environment

    with toxiproxy_from_environment() as client:
        yield client


def run_soak(
    strategy_name: str,
    factory: StrategyFactory,
    schedule: Schedule,
    *,
    backend: Backend | None = None,
    timing: CellTiming | None = None,
    shrink_attempts: int = 20,
    duration: float = 600.0,
    toxiproxy: object | None = None,
    on_run: Callable[[SoakRun, str], None] | None = None,
) -> SoakOutcome:
    """Run ``schedule``; if it fails, shrink it within ``shrink_attempts`` runs and what is left
    of ``duration`` seconds. ``on_run(run, role)`` hears of each run (role ``first`` or
    ``shrink``) as it ends. ``toxiproxy``: a client of the Toxiproxy to use (default: the one
    ``$TOXIPROXY_URL`` names, else an embedded one for the soak's time)."""
    backend = backend or Backend()
    timing = timing or CellTiming()
    started = time.monotonic()
    faults = schedule.fault_classes()
    require_local_servers(faults, backend)

    try:
        with _toxiproxy_for(faults, toxiproxy) as proxies:

            def run(candidate: Schedule, role: str) -> SoakRun:
                result = run_cell(
                    strategy_name,
                    factory,
                    ScheduledFaults.for_schedule(candidate),
                    backend=backend,
                    toxiproxy=proxies,
                    timing=timing,
                    fault_phase=schedule_fault_phase,
                )
                soak_run = SoakRun(candidate, result)
                if on_run is not None:
                    on_run(soak_run, role)
                return soak_run

            first = run(schedule, "first")
            if not first.failed or shrink_attempts < 1:
                return SoakOutcome(first, seconds=time.monotonic() - started)
            runs: dict[str, SoakRun] = {schedule.spec(): first}

            def fails(candidate: Schedule) -> bool:
                soak_run = runs[candidate.spec()] = run(candidate, "shrink")
                return soak_run.failed

            outcome = shrink(schedule, fails, attempts=shrink_attempts, deadline=started + duration)
            return SoakOutcome(
                first, outcome, runs[outcome.schedule.spec()], time.monotonic() - started
            )
    except BaseException:
        lifecycle.run_cleanups()  # Ctrl-C: every server and namespace goes now
        raise
