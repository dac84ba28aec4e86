"""``duplicate``, ``lost-ack`` and ``false-failure``: what the client was told vs the database."""

from __future__ import annotations

from .builders import MemoryBank, found, history, judge, transfer


def test_a_transfer_applied_twice_is_a_duplicate_though_money_is_conserved():
    bank = MemoryBank()
    bank.transfer("w0-1", times=2)
    result = judge(bank, history(transfer("w0-1", "ok")))
    assert found(result) == [("duplicate", ("w0-1",))]
    assert "applied 2 times" in result.violations[0].detail


def test_an_ok_transfer_missing_from_the_database_is_a_lost_ack():
    bank = MemoryBank()
    bank.transfer("w0-1")
    result = judge(bank, history(transfer("w0-1", "ok"), transfer("w0-2", "ok")))
    assert found(result) == [("lost-ack", ("w0-2",))]


def test_an_ok_transfer_applied_in_part_is_partial_not_lost():
    bank = MemoryBank()
    bank.debit_only("w0-1")
    kinds = {kind for kind, _ in found(judge(bank, history(transfer("w0-1", "ok"))))}
    assert kinds == {"partial"}


def test_a_failed_transfer_found_in_the_database_is_a_false_failure():
    bank = MemoryBank()
    bank.transfer("w0-1")
    result = judge(bank, history(transfer("w0-1", "fail", error="DefiniteFailure('gone')")))
    assert found(result) == [("false-failure", ("w0-1",))]
    assert "DefiniteFailure('gone')" in result.violations[0].detail


def test_a_failed_transfer_applied_in_part_is_both_partial_and_false_failure():
    bank = MemoryBank()
    bank.debit_only("w0-1")
    kinds = {kind for kind, _ in found(judge(bank, history(transfer("w0-1", "fail"))))}
    assert kinds == {"partial", "false-failure"}


def test_an_unknown_transfer_may_have_happened_or_not():
    bank = MemoryBank()
    bank.transfer("w0-1")
    judged = history(transfer("w0-1", "unknown"), transfer("w0-2", "unknown"))
    assert judge(bank, judged).violations == ()


def test_a_failed_transfer_absent_from_the_database_is_honest():
    bank = MemoryBank()
    assert judge(bank, history(transfer("w0-1", "fail"))).violations == ()
