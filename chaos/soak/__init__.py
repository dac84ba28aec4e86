"""Seeded random fault schedules: made from one seed, replayed exactly, shrunk when they fail.

A schedule says which faults of the catalogue strike a live workload, at which steps and for
how long (:mod:`chaos.soak.schedule`); one seed makes one schedule, so a failing run replays
with ``--seed N``. The shrinker (:mod:`chaos.soak.shrink`) looks for the smallest schedule that
still fails. Running a schedule is the runner's job (:mod:`chaos.runner.soak_cell`).
"""

from chaos.soak.schedule import (
    Schedule,
    ScheduledFault,
    can_overlap,
    generate_schedule,
    parse_schedule,
    soak_fault_names,
)
from chaos.soak.seed import parse_seed, random_seed
from chaos.soak.shrink import ShrinkOutcome, shrink

__all__ = [
    "Schedule",
    "ScheduledFault",
    "ShrinkOutcome",
    "can_overlap",
    "generate_schedule",
    "parse_schedule",
    "parse_seed",
    "random_seed",
    "shrink",
    "soak_fault_names",
]
