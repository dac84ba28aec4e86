"""A fault schedule: which faults strike a live workload, at which steps, for how long.

The workload of a soak runs in steps (every worker one operation at once, as a matrix cell's
fault phase). A :class:`ScheduledFault` is injected before step ``start`` and healed before
step ``start + length``; two faults overlap where their steps do, and only where they can
coexist (:func:`can_overlap`: they act on different parts of the world). A schedule is written
``fault@start+length,...`` (:meth:`Schedule.spec`) and read back by :func:`parse_schedule`, so
a printed schedule replays as it is. Besides the catalogue's faults an entry may be the
per-statement chance, ``chance:P:SEED`` (:mod:`chaos.faults.statement_chance`); kernel and
proxy faults never share a schedule (:mod:`chaos.soak.worlds`).

:func:`generate_schedule` makes a schedule from a seed and nothing else (``random.Random``'s
sequence is the same for a seed on every platform and Python 3 release), so ``--seed N``
replays the same faults at the same steps.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from chaos.errors import UsageError
from chaos.faults import FAULTS, Fault, Need
from chaos.faults.statement_chance import PREFIX as CHANCE
from chaos.faults.statement_chance import chance_fault, chance_name
from chaos.soak.worlds import KERNEL, PROXY, draw_one_world, mixed_pair, mixing_error, world_of

#: The parts of the world a fault takes over while it is active: two faults that need one of
#: them never overlap (two toxics or a disabled proxy on one proxy, a restart during a crash,
#: two kernel faults: each replaces the namespace's one nftables table).
_EXCLUSIVE = (Need.PROCESS, Need.PROXY, Need.GLOBALS, Need.NETNS)
#: Needs that make a world of their own (a standby, a replica): such a fault runs in its matrix
#: cell, not in a soak's shared world.
_OWN_WORLD = (Need.STANDBY, Need.REPLICA)
#: The longest a generated fault stays active, in steps.
MAX_LENGTH = 2
#: The per-statement chance's name, ``chance:P:SEED``.
_CHANCE = re.compile(rf"^{CHANCE}:(?P<probability>[0-9.e-]+):(?P<seed>\d+)$")
_ENTRY = re.compile(
    rf"^(?P<fault>[a-z0-9-]+|{CHANCE}:[0-9.e-]+:\d+)@(?P<start>\d+)\+(?P<length>\d+)$"
)


@dataclass(frozen=True, order=True)
class ScheduledFault:
    """``fault`` is injected before step ``start`` and healed before step ``end``."""

    start: int
    fault: str
    length: int = 1

    @property
    def end(self) -> int:
        return self.start + self.length

    def active_at(self, step: int) -> bool:
        return self.start <= step < self.end

    def overlaps(self, other: ScheduledFault) -> bool:
        return self.start < other.end and other.start < self.end

    def spec(self) -> str:
        return f"{self.fault}@{self.start}+{self.length}"


@dataclass(frozen=True)
class Schedule:
    """Faults ordered by start; ``steps`` is the number of steps the fault window runs."""

    faults: tuple[ScheduledFault, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "faults", tuple(sorted(self.faults)))

    @property
    def steps(self) -> int:
        return max((entry.end for entry in self.faults), default=0)

    def __len__(self) -> int:
        return len(self.faults)

    def spec(self) -> str:
        """The schedule as ``--schedule`` reads it."""
        return ",".join(entry.spec() for entry in self.faults)

    def fault_classes(self) -> list[type[Fault]]:
        return [fault_class(entry.fault) for entry in self.faults]

    def without(self, index: int) -> Schedule:
        return Schedule(self.faults[:index] + self.faults[index + 1 :])

    def with_entry(self, index: int, **changes: int) -> Schedule:
        entries = list(self.faults)
        entries[index] = replace(entries[index], **changes)
        return Schedule(tuple(entries))

    def valid(self) -> bool:
        """Each fault at most once, and overlapping faults able to coexist."""
        names = [entry.fault for entry in self.faults]
        if len(set(names)) != len(names) or mixed_pair(self.fault_classes()) is not None:
            return False
        return all(
            can_overlap(fault_class(a.fault), fault_class(b.fault))
            for i, a in enumerate(self.faults)
            for b in self.faults[i + 1 :]
            if a.overlaps(b)
        )

    def timeline(self) -> list[str]:
        """One line per fault, ``#`` on the steps it is active, under a row of step numbers."""
        width = max((len(entry.fault) for entry in self.faults), default=4)
        header = " ".join(f"{step % 10}" for step in range(self.steps))
        lines = [f"{'step':<{width}}  {header}"]
        for entry in self.faults:
            marks = " ".join("#" if entry.active_at(s) else "." for s in range(self.steps))
            lines.append(f"{entry.fault:<{width}}  {marks}")
        return lines


def fault_class(name: str) -> type[Fault]:
    """The fault a schedule names: one of the catalogue, or the per-statement chance
    ``chance:P:SEED`` (:mod:`chaos.faults.statement_chance`)."""
    match = _CHANCE.match(name)
    if match is None:
        return FAULTS.get(name)
    try:
        return chance_fault(float(match["probability"]), int(match["seed"]))
    except ValueError as e:
        raise UsageError(f"{name}: {e}") from None


def can_overlap(first: type[Fault], second: type[Fault]) -> bool:
    """Whether two faults may be active at once: they take over no part of the world in common
    (the per-statement chance shares the proxy with any other fault)."""
    shared = {Need.PROXY} if _shares_proxy(first) or _shares_proxy(second) else set()
    exclusive = [need for need in _EXCLUSIVE if need not in shared]
    return not any(need in first.needs and need in second.needs for need in exclusive)


def _shares_proxy(fault: type[Fault]) -> bool:
    return bool(getattr(fault, "shares_proxy", False))


def soakable(fault: type[Fault]) -> bool:
    """Whether a fault can run in a soak's shared world (no standby or replica of its own)."""
    return not any(need in fault.needs for need in _OWN_WORLD)


def soak_fault_names(names: Sequence[str] = (), *, kernel: bool = False) -> list[str]:
    """The faults a schedule draws from, in catalogue order: ``names`` (checked), or every fault
    that can share a world and is not slow: without ``kernel`` the proxy's world (no kernel
    fault, as ever), with it the namespace's (no proxy fault). Bad input is a
    :class:`UsageError` of one line."""
    if names and kernel:
        raise UsageError("--kernel and --fault exclude each other: name the kernel faults instead")
    if names:
        chosen = FAULTS.select(list(names))
        refused = [name for name in chosen if not soakable(FAULTS.get(name))]
        if refused:
            raise UsageError(
                f"{', '.join(refused)}: needs a world of its own (a standby server or a "
                "replica), so it runs in the matrix, not in a soak"
            )
        return chosen
    other_world = PROXY if kernel else KERNEL
    return [name for name, fault in _quick_soakable() if world_of(fault) != other_world]


def _quick_soakable() -> list[tuple[str, type[Fault]]]:
    return [(name, fault) for name, fault in FAULTS.items() if soakable(fault) and not fault.slow]


def generate_schedule(
    seed: int, pool: Sequence[str], count: int, statement_chance: float = 0.0
) -> Schedule:
    """``count`` distinct faults of ``pool`` at random steps, as ``seed`` decides; kernel and
    proxy faults never together (:mod:`chaos.soak.worlds`).

    The window has ``2 * count`` steps; a fault lands at a random step for 1 to
    :data:`MAX_LENGTH` steps, and is pushed later past any active fault it cannot coexist with.
    With ``statement_chance`` above 0 the per-statement chance is active over the whole window
    too, its toss seeded from ``seed`` (drawn last, so the faults are those of ``seed`` alone).
    """
    if count < 1:
        raise UsageError(f"a schedule needs at least one fault, not {count}")
    if statement_chance:
        # The chance is a proxy fault: no kernel fault can join it (chaos.soak.worlds).
        pool = [name for name in pool if world_of(FAULTS.get(name)) != KERNEL]
    if count > len(pool):
        raise UsageError(
            f"{count} faults asked for, but only {len(pool)} can be drawn from: {', '.join(pool)}"
        )
    rng = random.Random(seed)
    window = 2 * count
    # A pool of one world draws as it always has (printed seeds replay); a pool of both keeps
    # to the world its first draw decides.
    if mixed_pair([FAULTS.get(name) for name in pool]) is None:
        chosen = rng.sample(list(pool), count)
    else:
        chosen = draw_one_world(rng, pool, count)
    placed: list[ScheduledFault] = []
    for name in chosen:
        entry = ScheduledFault(rng.randrange(window), name, rng.randint(1, MAX_LENGTH))
        while clash := _clashing(entry, placed):
            entry = replace(entry, start=max(other.end for other in clash))
        placed.append(entry)
    if statement_chance:
        name = chance_name(statement_chance, rng.randrange(2**32))
        fault_class(name)  # a probability outside (0, 1]: one line
        placed.append(ScheduledFault(0, name, window))
    return Schedule(tuple(placed))


def _clashing(entry: ScheduledFault, placed: Iterable[ScheduledFault]) -> list[ScheduledFault]:
    fault = fault_class(entry.fault)
    return [
        other
        for other in placed
        if entry.overlaps(other) and not can_overlap(fault, fault_class(other.fault))
    ]


def parse_schedule(text: str) -> Schedule:
    """Read ``fault@start+length,...`` (as printed); one line of :class:`UsageError` if bad."""
    entries = []
    for part in (p.strip() for p in text.split(",")):
        match = _ENTRY.match(part)
        if match is None:
            raise UsageError(f"schedule entry {part!r} is not FAULT@START+LENGTH")
        length = int(match["length"])
        if length < 1:
            raise UsageError(f"schedule entry {part!r}: a fault lasts at least one step")
        entries.append(ScheduledFault(int(match["start"]), match["fault"], length))
    # Unknown or unsoakable: one line; a chance outside (0, 1] too.
    soak_fault_names([entry.fault for entry in entries if not _CHANCE.match(entry.fault)])
    mixed = mixing_error([fault_class(entry.fault) for entry in entries])
    if mixed is not None:
        raise UsageError(f"schedule {text!r}: {mixed}")
    schedule = Schedule(tuple(entries))
    if not schedule.valid():
        raise UsageError(
            f"schedule {text!r}: a fault appears twice, or two faults that act on the same "
            "part of the world (server process, proxy, global variables) overlap"
        )
    return schedule
