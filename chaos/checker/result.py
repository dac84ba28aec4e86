"""What a checker says: violations that name the operations proving them, and a summary."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass


class ViolationKind(enum.StrEnum):
    """An invariant's name (the key of the expectations file and of JSON reports).

    Each kind is written with the short word every report and progress line shows for it and
    its meaning, so the reports' legends are made from the kinds themselves.
    """

    short: str
    meaning: str

    def __new__(cls, name: str, short: str, meaning: str) -> ViolationKind:
        kind = str.__new__(cls, name)
        kind._value_ = name
        kind.short = short
        kind.meaning = meaning
        return kind

    PARTIAL = "partial", "partial", "a transfer half-applied, or money not conserved"
    DUPLICATE = "duplicate", "dup", "a transfer applied more than once"
    LOST_ACK = "lost-ack", "lost", "a transfer acknowledged ok but not applied"
    FALSE_FAILURE = "false-failure", "false", "a transfer reported failed but applied"
    NOT_RECOVERED = (
        "not-recovered",
        "norec",
        "a worker had no success within the deadline after heal",
    )
    HANG = "hang", "hang", "an operation outlived the hard deadline"
    #: while new connections failed, the client retried its connect without a pause
    CONNECT_STORM = (
        "connect-storm",
        "storm",
        "connects retried without backoff: over 40 connect attempts per worker in one second, "
        "as the kernel counted them",
    )
    #: a fault that strikes between transactions (an idle connection) failed operations
    FAULT_LOSS = (
        "lost-in-fault",
        "flost",
        "operations failed during a fault that strikes only idle connections (a check "
        "before use loses none)",
    )
    #: app mode: requests still failing once the recovery deadline after heal has passed
    STILL_FAILING = (
        "still-failing",
        "stillf",
        "requests still failing after the recovery deadline (an app thread never recovered)",
    )
    #: app mode (check-app): the user's own database check failed after the heal
    DB_CHECK = "db-check", "dbcheck", "the database check given to check-app failed after heal"
    #: the fault said it never struck the code under test: the cell tested nothing
    UNEXERCISED = (
        "unexercised",
        "unexercised",
        "the fault never struck the code under test (its own count says so): nothing was tested",
    )
    #: a worker's session state after a reconnect differs from what its client set up
    DRIFT = (
        "drift",
        "drift",
        "a worker's session state (isolation, sql_mode, time zone, charset, init_command "
        "variable, named lock; a temporary table and a prepared statement, for a strategy that "
        "keeps session objects) changed after its setup: a reconnect lost it",
    )
    #: a read (on a lagging replica) missed a transfer acknowledged before it began
    STALE_READ = (
        "stale-read",
        "stale",
        "a read saw fewer transfers than had been acknowledged before it began (a replica "
        "that had not caught up answered it)",
    )
    #: list-append (chaos/checker/list_append.py): what our own checks prove without Elle
    LOST_APPEND = (
        "lost-append",
        "lostapp",
        "an append acknowledged ok missing from the final list or from a read begun after it",
    )
    DUPLICATE_APPEND = (
        "duplicate-append",
        "dupapp",
        "a value appended once appears twice in a list (a transaction applied twice)",
    )
    GARBAGE_READ = (
        "garbage-read",
        "garbage",
        "a list holds a value no transaction appended to that key",
    )
    ABORTED_READ = (
        "aborted-read",
        "aborted",
        "a list holds a value whose transaction was reported failed",
    )
    INCOMPATIBLE_ORDER = (
        "incompatible-order",
        "order",
        "a read of a list is not a prefix of the final list (order or contents differ)",
    )
    PARTIAL_TXN = (
        "partial-txn",
        "ptxn",
        "a transaction half-applied: some of its appends in the final lists, some not",
    )
    #: a list read saw less than a read that had completed before it began (Elle:
    #: G-single-item-realtime)
    NONMONOTONIC_READ = (
        "nonmonotonic-read",
        "nonmono",
        "a read of a list saw less than a read that completed before it began: a value seen, "
        "then gone",
    )
    #: a transaction's read missed its own earlier append to that key (Elle: internal)
    INTERNAL_READ = (
        "internal-read",
        "internal",
        "a transaction read a list without the values it had itself appended to it before",
    )
    #: a checker raised (Jepsen's ``:valid? :unknown``): its invariant was not judged
    UNKNOWN = (
        "unknown",
        "unknown",
        "a checker raised, so its invariant was not judged (the detail names it)",
    )


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
