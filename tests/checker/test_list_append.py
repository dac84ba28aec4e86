"""The list-append checks: each violation kind from a history that has exactly that anomaly.

No server: a list-append history and the final lists are plain data.
"""

from __future__ import annotations

from chaos.checker import check_lists
from chaos.workload.history import CellMeta, History, Kind, Operation, Phase, Result
from chaos.workload.list_state import ListState

DEADLINE = 5.0


def txn(op_id: str, result: str, mops: list, *, invoke: float, worker: int = 0) -> Operation:
    return Operation(
        op_id, worker, Kind.TXN, Phase.WARMUP, invoke, invoke + 0.1, Result(result), txn=mops
    )


def history(*ops: Operation) -> History:
    meta = CellMeta("s", "f", 5.0, workers=1, recovery_deadline=DEADLINE, workload="list-append")
    return History(meta, ops)


def kinds(*ops: Operation, final: dict[int, tuple[int, ...]]) -> list[str]:
    result = check_lists(history(*ops), ListState(final), recovery_deadline=DEADLINE)
    return sorted(str(v.kind) for v in result.violations)


def test_a_clean_history_passes() -> None:
    ops = (
        txn("w0-1", "ok", [["append", 1, 11], ["r", 1, [11]]], invoke=1.0),
        txn("w0-2", "ok", [["append", 1, 12], ["r", 2, []]], invoke=2.0),
        txn("w0-3", "ok", [["r", 1, [11, 12]]], invoke=3.0),
        txn("w0-4", "unknown", [["append", 2, 13], ["r", 1, None]], invoke=4.0),
    )
    assert kinds(*ops, final={1: (11, 12), 2: ()}) == []


def test_a_transaction_applied_twice_is_a_duplicate_append() -> None:
    ops = (txn("w0-1", "ok", [["append", 1, 11]], invoke=1.0),)
    result = check_lists(history(*ops), ListState({1: (11, 11)}), recovery_deadline=DEADLINE)
    [violation] = result.violations
    assert violation.kind == "duplicate-append"
    assert violation.op_ids == ("w0-1",)
    assert "2 times" in violation.detail


def test_an_acknowledged_append_missing_from_the_final_list_is_lost() -> None:
    ops = (txn("w0-1", "ok", [["append", 1, 11]], invoke=1.0),)
    assert kinds(*ops, final={1: ()}) == ["lost-append"]


def test_a_read_begun_after_an_acknowledged_append_must_see_it() -> None:
    ops = (
        txn("w0-1", "ok", [["append", 1, 11]], invoke=1.0),
        txn("w1-1", "ok", [["r", 1, []]], invoke=2.0, worker=1),
    )
    assert kinds(*ops, final={1: (11,)}) == ["lost-append"]


def test_a_value_never_appended_is_a_garbage_read() -> None:
    ops = (txn("w0-1", "ok", [["r", 1, [99]]], invoke=1.0),)
    assert kinds(*ops, final={1: (99,)}) == ["garbage-read", "garbage-read"]


def test_a_value_of_a_failed_transaction_is_an_aborted_read() -> None:
    ops = (txn("w0-1", "fail", [["append", 1, 11]], invoke=1.0),)
    assert kinds(*ops, final={1: (11,)}) == ["aborted-read"]


def test_a_read_that_is_not_a_prefix_of_the_final_list_is_an_incompatible_order() -> None:
    ops = (
        txn("w0-1", "ok", [["append", 1, 11]], invoke=1.0),
        txn("w0-2", "ok", [["append", 1, 12]], invoke=2.0),
        txn("w1-1", "ok", [["r", 1, [12]]], invoke=1.05, worker=1),
    )
    assert kinds(*ops, final={1: (11, 12)}) == ["incompatible-order"]


def test_half_of_a_transactions_appends_is_a_partial_txn() -> None:
    ops = (txn("w0-1", "unknown", [["append", 1, 11], ["append", 2, 12]], invoke=1.0),)
    assert kinds(*ops, final={1: (11,), 2: ()}) == ["partial-txn"]


def test_a_value_seen_then_gone_from_a_later_read_is_a_nonmonotonic_read() -> None:
    # Elle's G-single-item-realtime (measured with Elle built from source): the append is still
    # in flight, so no acknowledged write is missing; the first read saw it, the next did not.
    append = Operation(
        "w0-1", 0, Kind.TXN, Phase.WARMUP, 0.0, 3.0, Result.OK, txn=[["append", 1, 1]]
    )
    ops = (
        append,
        txn("w1-1", "ok", [["r", 1, [1]]], invoke=0.5, worker=1),
        txn("w1-2", "ok", [["r", 1, []]], invoke=1.5, worker=1),
        txn("w2-1", "ok", [["r", 1, [1]]], invoke=3.5, worker=2),
    )
    result = check_lists(history(*ops), ListState({1: (1,)}), recovery_deadline=DEADLINE)
    [violation] = result.violations
    assert violation.kind == "nonmonotonic-read"
    assert violation.op_ids == ("w1-1", "w1-2")
    assert violation.detail == (
        "w1-1's read of 1 saw [1]; w1-2, begun after it completed, saw [] ([1] gone)"
    )


def test_reads_that_overlap_may_see_a_list_grow_in_any_order() -> None:
    ops = (
        txn("w0-1", "ok", [["append", 1, 1]], invoke=0.0),
        txn("w1-1", "ok", [["r", 1, [1]]], invoke=0.5, worker=1),
        # Begun before w1-1 completed (0.6): it may have read the list before the append.
        txn("w2-1", "ok", [["r", 1, []]], invoke=0.55, worker=2),
    )
    assert "nonmonotonic-read" not in kinds(*ops, final={1: (1,)})


def test_a_transaction_that_misses_its_own_append_is_an_internal_read() -> None:
    # Elle's internal: what a reconnect in the middle of a transaction leaves behind.
    ops = (txn("w0-1", "ok", [["append", 1, 1], ["r", 1, []]], invoke=0.0),)
    result = check_lists(history(*ops), ListState({1: (1,)}), recovery_deadline=DEADLINE)
    assert [(v.kind, v.detail) for v in result.violations] == [
        ("internal-read", "w0-1 appended [1] to 1, then read []")
    ]


def test_a_transaction_that_reads_its_own_appends_last_is_no_internal_read() -> None:
    ops = (
        txn("w1-1", "ok", [["append", 1, 7]], invoke=0.0, worker=1),
        txn("w0-1", "ok", [["append", 1, 1], ["append", 1, 2], ["r", 1, [7, 1, 2]]], invoke=1.0),
    )
    assert kinds(*ops, final={1: (7, 1, 2)}) == []
