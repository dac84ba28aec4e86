"""The composed checker: every invariant at once, counts, order, offline re-check."""

from __future__ import annotations

from chaos.checker import check, check_record
from chaos.workload.history import HANG, RunRecord

from .builders import MemoryBank, found, history, judge, read, transfer
from .conftest import INITIAL_TOTAL


def test_all_violations_are_reported_together_in_a_stable_order():
    bank = MemoryBank()
    bank.transfer("w0-10", times=2)
    bank.debit_only("w0-2")
    bank.transfer("w0-3")
    judged = history(
        transfer("w0-10", "ok"),
        transfer("w0-2", "unknown"),
        transfer("w0-3", "fail"),
        transfer("w0-4", "ok"),
        transfer("w0-5", "unknown", invoke=1.0, complete=9.0, error=HANG),
        transfer("w0-6", "fail", invoke=20.0, complete=20.1),
        heal_time=19.0,
    )
    result = judge(bank, judged, recovery_deadline=2.0)
    assert found(result) == [
        ("partial", ("w0-2",)),
        ("partial", ("w0-2",)),
        ("duplicate", ("w0-10",)),
        ("lost-ack", ("w0-4",)),
        ("false-failure", ("w0-3",)),
        ("not-recovered", ("w0-6",)),
        ("hang", ("w0-5",)),
    ]
    assert (result.ok_ops, result.failed_ops, result.unknown_ops) == (2, 2, 2)
    assert not result.passed


def test_counts_include_reads():
    bank = MemoryBank()
    judged = history(read("w0-4", "ok", INITIAL_TOTAL), read("w1-4", "fail", None))
    result = judge(bank, judged)
    assert (result.ok_ops, result.failed_ops, result.unknown_ops) == (1, 1, 0)
    assert result.passed


def test_a_recorded_run_rechecks_offline_from_its_own_metadata():
    bank = MemoryBank()
    bank.transfer("w0-1")
    judged = history(transfer("w0-1", "ok"), transfer("w0-2", "ok")).with_meta(
        initial_total=INITIAL_TOTAL, recovery_deadline=5.0
    )
    state = bank.state()
    offline = check_record(RunRecord(judged, state))
    assert offline == check(judged, state, initial_total=INITIAL_TOTAL, recovery_deadline=5.0)
    assert found(offline) == [("lost-ack", ("w0-2",))]
