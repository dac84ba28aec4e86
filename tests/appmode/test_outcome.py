"""What an HTTP answer means for the history, and the per-phase 5xx line each app cell reports."""

from __future__ import annotations

import pytest

from chaos.appmode.outcome import answers_by_phase, classify_answer
from chaos.workload.history import Kind, Operation, Phase, Result


@pytest.mark.parametrize(
    ("status", "result"),
    [(200, "ok"), (302, "ok"), (409, "fail"), (400, "fail"), (503, "unknown"), (500, "unknown")],
)
def test_a_status_code_maps_to_ok_fail_or_unknown(status: int, result: str) -> None:
    assert classify_answer(status) is Result(result)


def _op(phase: Phase, error_kind: str | None) -> Operation:
    result = Result.OK if error_kind is None else Result.UNKNOWN
    return Operation("w0-1", 0, Kind.READ, phase, 0.0, 0.1, result, error_kind=error_kind)


def test_the_report_counts_5xx_and_unanswered_requests_per_phase() -> None:
    ops = [
        _op(Phase.WARMUP, None),
        _op(Phase.FAULT, "http-503"),
        _op(Phase.FAULT, "hang"),
        _op(Phase.FAULT, "http-409"),
        _op(Phase.RECOVERY, "http-500"),
        _op(Phase.RECOVERY, None),
    ]
    assert answers_by_phase(ops) == (
        "5xx per phase: warmup 0/1, fault 1/3 (+1 unanswered), recovery 1/2"
    )
