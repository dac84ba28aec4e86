"""``not-recovered`` and ``hang``: the timeline after the heal, and the hard deadline."""

from __future__ import annotations

import pytest

from chaos.workload.history import HANG, Phase

from .builders import HARD_DEADLINE, MemoryBank, found, history, judge, transfer

HEAL = 10.0


def after_heal(op_id: str, result: str, start: float, end: float):
    return transfer(op_id, result, invoke=HEAL + start, complete=HEAL + end, phase=Phase.RECOVERY)


def test_when_every_operation_after_the_heal_fails_it_is_not_recovered():
    bank = MemoryBank()
    bank.transfer("w0-1")
    judged = history(
        transfer("w0-1", "ok", invoke=1.0),
        after_heal("w0-2", "fail", 0.1, 0.2),
        after_heal("w1-1", "unknown", 0.1, 0.3),
        heal_time=HEAL,
    )
    result = judge(bank, judged, recovery_deadline=2.0)
    assert found(result) == [("not-recovered", ("w0-2", "w1-1"))]
    assert result.recovery_seconds is None


def test_a_success_after_the_deadline_is_not_recovered_but_is_timed():
    bank = MemoryBank()
    bank.transfer("w0-2")
    judged = history(
        after_heal("w0-1", "fail", 0.1, 0.2),
        after_heal("w0-2", "ok", 2.5, 2.6),
        heal_time=HEAL,
    )
    result = judge(bank, judged, recovery_deadline=2.0)
    assert found(result) == [("not-recovered", ("w0-1",))]
    assert result.recovery_seconds == pytest.approx(2.6)


def test_recovery_time_runs_from_the_heal_to_the_first_success_invoked_after_it():
    bank = MemoryBank()
    for op_id in ("w0-1", "w1-2", "w2-1"):
        bank.transfer(op_id)
    judged = history(
        # Invoked before the heal: it does not show the strategy recovered.
        transfer("w0-1", "ok", invoke=HEAL - 1, complete=HEAL + 0.05, phase=Phase.FAULT),
        after_heal("w1-1", "fail", 0.0, 0.1),
        after_heal("w1-2", "ok", 0.2, 0.4),
        after_heal("w2-1", "ok", 0.1, 0.5),
        heal_time=HEAL,
    )
    result = judge(bank, judged, recovery_deadline=2.0)
    assert result.violations == ()
    assert result.recovery_seconds == pytest.approx(0.4)


def test_a_cell_without_a_heal_has_no_recovery_verdict():
    bank = MemoryBank()
    result = judge(bank, history(transfer("w0-1", "fail")), recovery_deadline=0.1)
    assert result.violations == () and result.recovery_seconds is None


def test_an_operation_recorded_as_hung_is_a_hang():
    bank = MemoryBank()
    hung = transfer("w0-1", "unknown", invoke=1.0, complete=1.0 + HARD_DEADLINE, error=HANG)
    result = judge(bank, history(hung, transfer("w0-2", "fail", invoke=7.0)))
    assert found(result) == [("hang", ("w0-1",))]


def test_an_operation_that_took_longer_than_the_hard_deadline_is_a_hang():
    bank = MemoryBank()
    slow = transfer("w0-1", "unknown", invoke=1.0, complete=1.0 + HARD_DEADLINE + 0.1)
    quick = transfer("w0-2", "fail", invoke=1.0, complete=1.0 + HARD_DEADLINE - 0.1)
    assert found(judge(bank, history(slow, quick))) == [("hang", ("w0-1",))]
