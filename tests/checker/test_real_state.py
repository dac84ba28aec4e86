"""The checker on states read from a real bank, and the in-memory bank held to the real one.

Every other checker test judges a :class:`MemoryBank`; these prove that what it builds is exactly
what the bank's SQL leaves, so those tests judge real states without needing a server.
"""

from __future__ import annotations

from chaos.workload.bank import read_state

from .builders import (
    MemoryBank,
    commit_debit_only,
    commit_transfer,
    execute,
    found,
    history,
    judge,
    transfer,
)


def test_memory_bank_builds_the_state_the_real_banks_sql_leaves(bank):
    memory = MemoryBank()
    commit_transfer(bank, "w0-1", times=2)
    memory.transfer("w0-1", times=2)
    commit_debit_only(bank, "w0-2")
    memory.debit_only("w0-2")
    commit_transfer(bank, "w1-3")
    memory.transfer("w1-3")
    execute(bank, "UPDATE accounts SET balance = balance + 7 WHERE id = 3")
    memory.change_balance(3, 7)
    execute(bank, "UPDATE accounts SET moves = CONCAT(moves, '+w0-9:4;') WHERE id = 4")
    memory.append_token(4, "+w0-9:4;")
    execute(bank, "INSERT INTO ledger (op_id, from_id, to_id, amount) VALUES ('w2-1', 1, 2, 5)")
    memory.add_ledger_row("w2-1", 1, 2, 5)
    execute(bank, "UPDATE ledger SET amount = 6 WHERE op_id = 'w1-3'")
    memory.set_ledger_amount("w1-3", 6)

    assert read_state(bank) == memory.state()
    assert MemoryBank().state() != memory.state()  # the comparison can fail


def test_a_fresh_memory_bank_is_a_fresh_real_bank(bank):
    assert read_state(bank) == MemoryBank().state()


def test_violations_found_in_a_real_bank_name_the_ops_that_caused_them(bank):
    commit_transfer(bank, "w0-1", times=2)
    commit_debit_only(bank, "w0-2")
    judged = history(transfer("w0-1", "ok"), transfer("w0-2", "unknown"), transfer("w0-3", "ok"))
    assert found(judge(read_state(bank), judged)) == [
        ("partial", ("w0-2",)),
        ("partial", ("w0-2",)),
        ("duplicate", ("w0-1",)),
        ("lost-ack", ("w0-3",)),
    ]
