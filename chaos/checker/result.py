"""What a checker says: violations that name the operations proving them, and a summary."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass


class ViolationKind(enum.StrEnum):
    """An invariant's name (the key of the expectations file and of JSON reports).

    Each kind carries the short word every report and progress line shows for it, and its
    meaning, so the reports' legends are made from the kinds themselves.
    """

    PARTIAL = "partial"
    DUPLICATE = "duplicate"
    LOST_ACK = "lost-ack"
    FALSE_FAILURE = "false-failure"
    NOT_RECOVERED = "not-recovered"
    HANG = "hang"

    @property
    def short(self) -> str:
        return _WORDS[self][0]

    @property
    def meaning(self) -> str:
        return _WORDS[self][1]


_WORDS: dict[ViolationKind, tuple[str, str]] = {
    ViolationKind.PARTIAL: ("partial", "a transfer half-applied, or money not conserved"),
    ViolationKind.DUPLICATE: ("dup", "a transfer applied more than once"),
    ViolationKind.LOST_ACK: ("lost", "a transfer acknowledged ok but not applied"),
    ViolationKind.FALSE_FAILURE: ("false", "a transfer reported failed but applied"),
    ViolationKind.NOT_RECOVERED: (
        "norec",
        "a worker had no success within the deadline after heal",
    ),
    ViolationKind.HANG: ("hang", "an operation outlived the hard deadline"),
}


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
    #: Time to recover, from inject and from heal, to the moment from which everything worked
    #: again (:func:`chaos.checker.recovery.recovered_at`); None when it never did.
    recovered_after_inject: float | None = None
    recovered_after_heal: float | None = None

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
