"""A schedule of faults armed as one fault, so a soak runs through the matrix cell's machinery.

:class:`ScheduledFaults` is made for one schedule (:meth:`ScheduledFaults.for_schedule`): its
needs are the union of its faults' (one world: a server, a proxy where one needs it), its
``prepare()`` prepares each of them before the strategy connects, and its ``close()`` heals and
restores each. :func:`schedule_fault_phase` takes the place of the cell's single inject and heal:
between the workload's steps it injects and heals each fault at the steps the schedule names.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from chaos.fault_effect import FaultEffect, combined
from chaos.faults import Fault, FaultTarget
from chaos.runner.armed_fault import ArmedFault
from chaos.soak.schedule import Schedule
from chaos.workload.driver import WorkloadDriver

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FaultEvent:
    """One inject or heal of a soak, in the history's seconds, with what it did."""

    step: int
    seconds: float
    fault: str
    action: str  # "inject" or "heal"
    effect: FaultEffect


class ScheduledFaults(Fault):
    """The faults of one schedule, each built for the same world; never registered."""

    name = "soak"
    description = "faults of the catalogue striking at the steps of a seeded schedule"
    mechanism = "each fault's own, injected and healed between the workload's steps"
    schedule: ClassVar[Schedule] = Schedule(())

    @classmethod
    def for_schedule(cls, schedule: Schedule) -> type[ScheduledFaults]:
        members = schedule.fault_classes()
        needs = frozenset().union(*(fault.needs for fault in members))
        attributes = {"schedule": schedule, "needs": needs, "name": f"soak:{schedule.spec()}"}
        return type("ScheduledFaults", (cls,), attributes)

    def __init__(self, target: FaultTarget) -> None:
        super().__init__(target)
        self.members = [fault(target) for fault in self.schedule.fault_classes()]
        self.events: list[FaultEvent] = []

    @classmethod
    def unmet_need(cls, target: FaultTarget) -> str | None:
        for fault in cls.schedule.fault_classes():
            reason = fault.unmet_need(target)
            if reason is not None:
                return f"{fault.name} {reason}"
        return None

    def prepare(self) -> None:
        for member in self.members:
            member.prepare()

    def _inject(self) -> FaultEffect | None:
        raise NotImplementedError("a schedule's faults are injected by schedule_fault_phase")

    def _heal(self) -> FaultEffect | None:
        raise NotImplementedError("a schedule's faults are healed by schedule_fault_phase")

    def close(self) -> None:
        """Close every fault (heal, restore its globals), also when one of them fails."""
        errors: list[Exception] = []
        for member in reversed(self.members):
            try:
                member.close()
            except Exception as e:
                log.warning("%s: close failed: %s", member.name, e)
                errors.append(e)
        if errors:
            raise errors[0]


def schedule_fault_phase(driver: WorkloadDriver, armed: ArmedFault) -> dict[str, Any]:
    """The schedule's steps: before each, heal what ends there and inject what starts there;
    then every worker one operation at once (more, or spaced, as a fault injected there asks)."""
    faults = armed.fault
    assert isinstance(faults, ScheduledFaults)
    schedule = faults.schedule
    entries = list(zip(schedule.faults, faults.members, strict=True))
    driver.mark_fault()
    for step in range(schedule.steps + 1):
        for entry, member in entries:
            if entry.end == step:
                _record(faults, driver, step, member, "heal", member.heal())
        if step == schedule.steps:
            break
        operations, spacing = 1, 0.0
        for entry, member in entries:
            if entry.start == step:
                _record(faults, driver, step, member, "inject", member.inject())
                operations = max(operations, member.fault_phase_operations)
                spacing = max(spacing, member.fault_phase_spacing)
        driver.run_fault_phase(operations, spacing=spacing)
    driver.mark_heal()
    injects = [e.effect for e in faults.events if e.action == "inject"]
    heals = [e.effect for e in faults.events if e.action == "heal"]
    return {
        "inject_effect": _as_one(injects, several=len(entries) > 1),
        "heal_effect": _as_one(heals, several=len(entries) > 1),
        "between_transactions": all(m.strikes_between_transactions for m in faults.members),
    }


def _record(
    faults: ScheduledFaults,
    driver: WorkloadDriver,
    step: int,
    member: Fault,
    action: str,
    effect: FaultEffect,
) -> None:
    faults.events.append(FaultEvent(step, driver.now(), member.name, action, effect))


def _as_one(effects: list[FaultEffect], *, several: bool) -> FaultEffect | None:
    """The schedule's injects (or heals) as one fault's: the strikes combined, the details as
    the faults said them, each with its own count (``(struck 3)``) where it has one and the
    schedule has ``several`` faults, so a reader sees which fault struck how often; the
    checker then says the total once."""
    together = combined(*effects)
    if together is None:
        return None
    telling = [effect for effect in effects if effect.struck is not None] or effects
    # One fault alone: its count is the total, which the checker says once.
    say = _with_count if several else (lambda effect: effect.detail)
    return replace(together, detail="; ".join(say(e) for e in telling if e.detail))


def _with_count(effect: FaultEffect) -> str:
    return effect.detail if effect.count is None else f"{effect.detail} (struck {effect.count})"
