"""``partial``: money conserved, every transfer all-or-nothing, every read sees the total."""

from __future__ import annotations

from .builders import MemoryBank, found, history, judge, read, transfer
from .conftest import INITIAL_TOTAL


def test_committed_whole_transfers_give_no_violation():
    bank = MemoryBank()
    bank.transfer("w0-1")
    bank.transfer("w0-2")
    result = judge(bank, history(transfer("w0-1", "ok"), transfer("w0-2", "ok")))
    assert result.violations == ()


def test_a_debit_committed_without_its_credit_is_partial_and_names_the_op():
    bank = MemoryBank()
    bank.debit_only("w0-1")
    result = judge(bank, history(transfer("w0-1", "unknown")))
    assert found(result) == [("partial", ("w0-1",)), ("partial", ("w0-1",))]
    details = " | ".join(v.detail for v in result.violations)
    assert f"total balance {INITIAL_TOTAL - 5}" in details
    assert "1 debit(s), 0 credit(s), 0 ledger row(s)" in details


def test_a_balance_changed_without_a_token_is_partial_on_that_account():
    bank = MemoryBank()
    bank.change_balance(3, 7)
    result = judge(bank, history())
    assert found(result) == [("partial", ()), ("partial", ())]
    assert any("account 3" in v.detail for v in result.violations)


def test_a_token_without_its_balance_change_is_partial_and_names_the_op():
    bank = MemoryBank()
    bank.append_token(3, "+w0-9:4;")
    result = judge(bank, history())
    # The total is intact; the account's arithmetic and the op's one-sidedness are not.
    assert found(result) == [("partial", ("w0-9",)), ("partial", ("w0-9",))]
    assert any("account 3" in v.detail for v in result.violations)


def test_a_ledger_row_without_its_moves_is_partial():
    bank = MemoryBank()
    bank.add_ledger_row("w0-1", 1, 2, 5)
    result = judge(bank, history(transfer("w0-1", "unknown")))
    assert found(result) == [("partial", ("w0-1",))]


def test_a_ledger_row_that_disagrees_with_its_moves_is_partial():
    bank = MemoryBank()
    bank.transfer("w0-1")
    bank.set_ledger_amount("w0-1", 6)
    assert found(judge(bank, history(transfer("w0-1", "ok")))) == [("partial", ("w0-1",))]


def test_a_read_that_saw_money_missing_is_partial_and_names_the_read():
    bank = MemoryBank()
    result = judge(
        bank, history(read("w0-4", "ok", INITIAL_TOTAL - 5), read("w1-4", "ok", INITIAL_TOTAL))
    )
    assert found(result) == [("partial", ("w0-4",))]


def test_a_read_that_did_not_complete_ok_proves_nothing():
    bank = MemoryBank()
    assert judge(bank, history(read("w0-4", "unknown", None))).violations == ()
