"""What a checker says: violations that name the operations proving them, and a summary."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass


class ViolationKind(enum.StrEnum):
    PARTIAL = "partial"  # balance not conserved, or an op not all-or-nothing
    DUPLICATE = "duplicate"  # an op applied more than once
    LOST_ACK = "lost-ack"  # an ok transfer not applied at all
    FALSE_FAILURE = "false-failure"  # a fail transfer applied
    NOT_RECOVERED = "not-recovered"  # a worker had no success within the deadline after heal
    HANG = "hang"  # an op outlived the hard deadline
    #: app mode: requests still failing once the recovery deadline after heal has passed
    STILL_FAILING = "still-failing"
    #: black-box app mode: the user's own database check failed after the heal
    DB_CHECK = "db-check"


@dataclass(frozen=True)
class Violation:
    kind: ViolationKind
    op_ids: tuple[str, ...]
    detail: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", ViolationKind(self.kind))


@dataclass(frozen=True)
class CheckResult:
    violations: tuple[Violation, ...]
    recovery_seconds: float | None
    failed_ops: int
    unknown_ops: int
    ok_ops: int
    #: Heal -> the LAST worker's first success (None when some worker never succeeded).
    slowest_recovery_seconds: float | None = None
    #: The fault's start (inject) -> the first success after the heal.
    recovery_from_fault_seconds: float | None = None

    @property
    def passed(self) -> bool:
        return not self.violations

    def kinds(self) -> frozenset[ViolationKind]:
        return frozenset(v.kind for v in self.violations)

    def of_kind(self, kind: ViolationKind | str) -> tuple[Violation, ...]:
        return tuple(v for v in self.violations if v.kind == kind)


def natural_key(op_id: str) -> tuple[tuple[int, int | str], ...]:
    """Sort ``w0-2`` before ``w0-10``."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part)
        for part in re.split(r"(\d+)", op_id)
        if part
    )


def sorted_ids(op_ids: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(op_ids), key=natural_key))
