"""The bank's SQL against the real server: schema, transfer, read, final state."""

from __future__ import annotations

import threading

import pymysql
import pytest

from chaos.settings import ConnectionSettings
from chaos.workload.bank import read_state, read_unit, transfer_unit
from chaos.workload.state import BankState

from .conftest import ACCOUNTS, INITIAL_BALANCE, INITIAL_TOTAL, connect


def apply(settings: ConnectionSettings, unit_body, *args) -> None:
    with connect(settings) as conn:
        unit_body(conn, *args)
        conn.commit()


def moves_by_account(conn: pymysql.Connection) -> dict[int, str]:
    with conn.cursor() as cursor:
        cursor.execute("SELECT id, moves FROM accounts")
        return dict(cursor.fetchall())


def test_create_schema_opens_every_account_with_its_opening_token(bank):
    state = read_state(bank)
    assert [a.id for a in state.accounts] == list(range(1, ACCOUNTS + 1))
    assert {a.balance for a in state.accounts} == {INITIAL_BALANCE}
    assert {a.moves for a in state.accounts} == {f"={INITIAL_BALANCE};"}
    assert state.ledger == ()
    assert state.total == INITIAL_TOTAL


def test_ledger_stores_the_same_op_id_twice_so_a_double_apply_is_visible(bank):
    with connect(bank) as conn, conn.cursor() as cursor:
        for _ in range(2):
            cursor.execute(
                "INSERT INTO ledger (op_id, from_id, to_id, amount) VALUES ('x', 1, 2, 3)"
            )
        conn.commit()
    assert [row.op_id for row in read_state(bank).ledger] == ["x", "x"]


def test_transfer_moves_money_and_writes_both_tokens_and_one_ledger_row(bank):
    apply(bank, transfer_unit("w0-1", 1, 2, 5).body)
    state = read_state(bank)
    by_id = {a.id: a for a in state.accounts}
    assert (by_id[1].balance, by_id[1].moves) == (995, "=1000;-w0-1:5;")
    assert (by_id[2].balance, by_id[2].moves) == (1005, "=1000;+w0-1:5;")
    assert [(r.op_id, r.from_id, r.to_id, r.amount) for r in state.ledger] == [("w0-1", 1, 2, 5)]
    assert state.total == INITIAL_TOTAL


def test_transfer_body_leaves_the_commit_to_the_strategy(bank):
    with connect(bank) as conn:
        transfer_unit("w0-1", 1, 2, 5).body(conn)
        conn.rollback()
    assert read_state(bank).ledger == ()


@pytest.mark.parametrize("op_id", ["", "a;b", "x" * 65])
def test_transfer_rejects_op_ids_that_cannot_be_stored_as_tokens(op_id):
    with pytest.raises(ValueError, match="op id"):
        transfer_unit(op_id, 1, 2, 5)


def test_was_applied_is_false_before_and_true_after_the_commit(bank):
    unit = transfer_unit("w0-1", 1, 2, 5)
    with connect(bank) as conn:
        assert unit.was_applied(conn) is False
    apply(bank, unit.body)
    with connect(bank) as conn:
        assert unit.was_applied(conn) is True


def test_was_applied_sees_a_commit_made_after_the_callers_snapshot_began(bank):
    unit = transfer_unit("w0-1", 1, 2, 5)
    with connect(bank) as asker:
        with asker.cursor() as cursor:
            cursor.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT")
            cursor.execute("SELECT COUNT(*) FROM ledger")
        apply(bank, unit.body)
        assert unit.was_applied(asker) is True


def test_was_applied_waits_for_a_transaction_still_in_flight_instead_of_answering_no(bank):
    unit = transfer_unit("w0-1", 1, 2, 5)
    answers: list[bool] = []
    with connect(bank) as writer, connect(bank) as asker:
        unit.body(writer)  # applied, not yet committed: its COMMIT is "in flight"
        asker_thread = threading.Thread(target=lambda: answers.append(unit.was_applied(asker)))
        asker_thread.start()
        asker_thread.join(timeout=0.3)
        assert asker_thread.is_alive(), "was_applied answered while the outcome was open"
        writer.commit()
        asker_thread.join(timeout=5)
    assert answers == [True]


def test_was_applied_releases_its_locks_so_other_workers_can_insert(bank):
    unit = transfer_unit("w0-1", 1, 2, 5)
    with connect(bank) as asker, connect(bank) as other:
        assert unit.was_applied(asker) is False
        with other.cursor() as cursor:
            cursor.execute("SET SESSION innodb_lock_wait_timeout = 1")
            # Would wait on the asker's gap lock and fail with 1205 if it were still held.
            cursor.execute(
                "INSERT INTO ledger (op_id, from_id, to_id, amount) VALUES ('w0-0', 1, 2, 1)"
            )
        other.commit()


def test_read_returns_every_balance(bank):
    apply(bank, transfer_unit("w0-1", 3, 4, 7).body)
    with connect(bank) as conn:
        balances = read_unit("w0-2").body(conn)
    assert balances == {i: INITIAL_BALANCE for i in range(1, ACCOUNTS + 1)} | {3: 993, 4: 1007}


def test_read_state_survives_a_round_trip_through_plain_data(bank):
    apply(bank, transfer_unit("w0-1", 1, 2, 5).body)
    state = read_state(bank)
    assert BankState.from_dict(state.to_dict()) == state
