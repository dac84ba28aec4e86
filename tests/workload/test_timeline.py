"""A timeline keeps what a drawing needs of a history, in milliseconds, and reads back."""

from __future__ import annotations

from chaos.fault_effect import FaultEffect
from chaos.workload.history import (
    HANG,
    CellMeta,
    History,
    Kind,
    Operation,
    Phase,
    PhaseSpan,
    Result,
)
from chaos.workload.timeline import Timeline


def _history(fault_time: float | None = 0.1) -> History:
    meta = CellMeta(
        "safe",
        "outage",
        8.0,
        heal_time=0.9,
        phases=(PhaseSpan(Phase.FAULT, 0.12, 0.9),),
        workers=4,
        fault_time=fault_time,
    )
    operations = (
        Operation("w0-1", 0, Kind.TRANSFER, Phase.WARMUP, 0.0012, 0.0456, Result.OK),
        Operation("w2-3", 2, Kind.READ, Phase.FAULT, 0.12, 8.12, Result.UNKNOWN, error=HANG),
        Operation(
            "w1-3",
            1,
            Kind.TRANSFER,
            Phase.FAULT,
            0.12,
            0.5,
            Result.FAIL,
            error="DefiniteFailure('gave up')",
            error_kind="CR_CONN_HOST_ERROR",
        ),
    )
    return History(meta, operations)


def test_a_timeline_keeps_lanes_times_in_ms_results_and_error_kinds() -> None:
    timeline = Timeline.from_history(_history())
    assert (timeline.workers, timeline.inject_ms, timeline.heal_ms) == (4, 100, 900)
    first, hung, failed = timeline.operations
    assert (first.invoke_ms, first.complete_ms, first.duration_ms) == (1, 46, 45)
    assert hung.error_kind == "hang" and hung.result is Result.UNKNOWN
    assert failed.error_kind == "CR_CONN_HOST_ERROR" and failed.kind is Kind.TRANSFER
    assert timeline.end_ms == 8120


def test_a_history_saved_before_inject_times_uses_the_fault_phase_start() -> None:
    assert Timeline.from_history(_history(fault_time=None)).inject_ms == 120


def test_a_timeline_reads_back_what_it_wrote() -> None:
    timeline = Timeline.from_history(_history())
    assert Timeline.from_dict(timeline.to_dict()) == timeline


def test_a_timeline_carries_what_the_fault_did_and_an_older_report_reads_without_it() -> None:
    effect = FaultEffect(True, 1, "mysql_cut removed")
    timeline = Timeline.from_history(_history().with_meta(heal_effect=effect))
    assert (timeline.inject_effect, timeline.heal_effect) == (None, effect)
    assert Timeline.from_dict(timeline.to_dict()) == timeline
    older = {
        key: value
        for key, value in timeline.to_dict().items()
        if key not in {"inject_effect", "heal_effect"}
    }
    assert Timeline.from_dict(older).heal_effect is None
