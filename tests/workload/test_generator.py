"""What each worker does next: deterministic, disjoint accounts, a 3:1 mix."""

from __future__ import annotations

from chaos.workload.generator import WorkerPlan, accounts_for_worker
from chaos.workload.history import Kind


def test_workers_never_share_an_account():
    owned = [set(accounts_for_worker(w)) for w in range(8)]
    assert all(a.isdisjoint(b) for i, a in enumerate(owned) for b in owned[i + 1 :])


def test_a_worker_moves_money_only_between_its_own_two_accounts_alternating_direction():
    plan = WorkerPlan(2)
    transfers = [
        op for op in (plan.next_operation() for _ in range(12)) if op.kind is Kind.TRANSFER
    ]
    assert [(op.from_id, op.to_id) for op in transfers[:4]] == [(5, 6), (6, 5), (5, 6), (6, 5)]
    assert all(1 <= op.amount <= 9 for op in transfers)


def test_three_transfers_then_one_read():
    plan = WorkerPlan(0)
    kinds = [plan.next_operation().kind for _ in range(8)]
    assert kinds == [Kind.TRANSFER] * 3 + [Kind.READ] + [Kind.TRANSFER] * 3 + [Kind.READ]


def test_op_ids_are_unique_per_cell_and_name_their_worker():
    ids = [WorkerPlan(w).next_operation().op_id for w in range(3)]
    plan = WorkerPlan(1)
    ids += [plan.next_operation().op_id for _ in range(3)]
    assert ids == ["w0-1", "w1-1", "w2-1", "w1-1", "w1-2", "w1-3"]
    assert len(set(ids[3:])) == 3


def test_a_forced_kind_still_advances_the_sequence():
    plan = WorkerPlan(0)
    ops = [plan.next_operation(Kind.TRANSFER) for _ in range(4)]
    assert [op.kind for op in ops] == [Kind.TRANSFER] * 4
    assert [op.op_id for op in ops] == ["w0-1", "w0-2", "w0-3", "w0-4"]


def test_two_plans_for_the_same_worker_issue_the_same_sequence():
    first, second = WorkerPlan(3), WorkerPlan(3)
    assert [first.next_operation() for _ in range(9)] == [second.next_operation() for _ in range(9)]
