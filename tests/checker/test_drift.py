"""Drift: each worker's session state stays what its warm-up reading says its client set up."""

from __future__ import annotations

from chaos.checker import BANK_CHECKS, CheckContext, ViolationKind
from chaos.checker.drift import DriftChecker
from chaos.session_setup import SESSION_FIELDS
from chaos.workload.history import Kind, Operation, Phase, Result

from .builders import history
from .conftest import INITIAL_TOTAL

CONTEXT = CheckContext(5.0, initial_total=INITIAL_TOTAL)

SET_UP = {
    "autocommit": "0",
    "isolation": "READ-COMMITTED",
    "sql_mode": "STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION",
    "time_zone": "+03:00",
    "character_set_client": "utf8mb4",
    "collation_connection": "utf8mb4_bin",
    "init_command_variable": "set-by-init-command",
    "holds_named_lock": "1",
}
#: What a session reads that skipped the setup (MariaDB 10.11's defaults).
FRESH = {
    **SET_UP,
    "isolation": "REPEATABLE-READ",
    "time_zone": "SYSTEM",
    "init_command_variable": None,
    "holds_named_lock": None,
}


def reading(
    op_id: str,
    worker: int,
    phase: Phase,
    session: dict[str, str | None] | None,
    *,
    invoke: float,
    result: Result = Result.OK,
) -> Operation:
    return Operation(
        op_id, worker, Kind.READ, phase, invoke, invoke + 0.01, result, session=session
    )


def drift(*operations: Operation) -> list[tuple[tuple[str, ...], str]]:
    return [(v.op_ids, v.detail) for v in DriftChecker().check(history(*operations), None, CONTEXT)]


def test_the_fields_a_reading_records_are_the_ones_the_setup_establishes() -> None:
    assert tuple(SET_UP) == SESSION_FIELDS


def test_a_worker_whose_reconnect_lost_the_setup_is_drift_naming_worker_field_and_values() -> None:
    found = drift(
        reading("w1-3", 1, Phase.WARMUP, SET_UP, invoke=0.1),
        reading("w1-7", 1, Phase.RECOVERY, FRESH, invoke=2.0),
        reading("w1-9", 1, Phase.RECOVERY, FRESH, invoke=2.5),
    )
    assert found == [
        (
            ("w1-7", "w1-9"),
            f"worker 1: {field} was {SET_UP[field]!r} after setup, then "
            f"{FRESH[field]!r} in w1-7, w1-9",
        )
        for field in ("holds_named_lock", "init_command_variable", "isolation", "time_zone")
    ]


def test_each_worker_is_held_to_its_own_baseline() -> None:
    # Worker 0's client never set the zone up (a user's strategy that ignores the setup): it
    # reads the default every time, which is no drift; worker 1 loses its setup.
    unset = {**SET_UP, "time_zone": "SYSTEM"}
    found = drift(
        reading("w0-3", 0, Phase.WARMUP, unset, invoke=0.1),
        reading("w1-3", 1, Phase.WARMUP, SET_UP, invoke=0.1),
        reading("w0-7", 0, Phase.RECOVERY, unset, invoke=2.0),
        reading("w1-7", 1, Phase.RECOVERY, unset, invoke=2.0),
    )
    assert [ids for ids, _ in found] == [("w1-7",)]
    assert found[0][1].startswith("worker 1: time_zone was '+03:00'")


def test_the_baseline_is_the_first_warmup_reading_not_a_later_one() -> None:
    # A worker whose first reading came only after the fault has no baseline: nothing to hold
    # it to (its client may already have lost the setup then).
    assert (
        drift(
            reading("w0-5", 0, Phase.FAULT, FRESH, invoke=1.0),
            reading("w0-7", 0, Phase.RECOVERY, SET_UP, invoke=2.0),
        )
        == []
    )
    found = drift(
        reading("w0-3", 0, Phase.WARMUP, SET_UP, invoke=0.1),
        reading("w0-4", 0, Phase.WARMUP, FRESH, invoke=0.2),
    )
    assert [ids for ids, _ in found] == [("w0-4",)] * 4


def test_failed_reads_and_operations_without_a_reading_say_nothing() -> None:
    assert (
        drift(
            reading("w0-3", 0, Phase.WARMUP, SET_UP, invoke=0.1),
            reading("w0-5", 0, Phase.FAULT, FRESH, invoke=1.0, result=Result.UNKNOWN),
            reading("w0-6", 0, Phase.RECOVERY, None, invoke=2.0),
            reading("w0-7", 0, Phase.RECOVERY, SET_UP, invoke=2.5),
        )
        == []
    )


def test_a_history_saved_before_readings_were_recorded_has_no_drift() -> None:
    assert drift(reading("w0-3", 0, Phase.WARMUP, None, invoke=0.1)) == []


def test_drift_is_one_of_the_bank_checks_with_its_own_word() -> None:
    assert "drift" in BANK_CHECKS.member_names
    assert ViolationKind.DRIFT.short == "drift"
    assert "reconnect" in ViolationKind.DRIFT.meaning
