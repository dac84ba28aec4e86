"""The history model's list-append fields: saved and loaded back, older files still load, and a
field this version does not know is refused in one line."""

from __future__ import annotations

import json

import pytest

from chaos.checker import check_record
from chaos.workload.history import CellMeta, History, Kind, Operation, Phase, load_jsonl, save_jsonl
from chaos.workload.list_append import ListAppendPlan
from chaos.workload.list_state import ListState


def test_a_list_append_run_round_trips_with_its_micro_ops_and_final_lists(tmp_path) -> None:
    op = Operation(
        "w0-1", 0, Kind.TXN, Phase.WARMUP, 0.0, 0.1, "ok", txn=[["append", 1, 5], ["r", 2, [7]]]
    )
    meta = CellMeta("s", "f", 5.0, workers=1, recovery_deadline=5.0, workload="list-append")
    path = tmp_path / "h.jsonl"
    save_jsonl(path, History(meta, (op,)), ListState({1: (5,), 2: (7,)}))
    record = load_jsonl(path)
    assert record.history.operations == (op,)
    assert record.history.operations[0].txn == (("append", 1, 5), ("r", 2, (7,)))
    assert record.lists == ListState({1: (5,), 2: (7,)})
    assert record.history.meta.workload == "list-append"
    # 7 was never appended: re-checked offline, the saved run still shows it.
    assert {str(v.kind) for v in check_record(record).violations} == {"garbage-read"}


def test_a_history_saved_before_the_list_append_fields_loads_as_a_bank_run(tmp_path) -> None:
    path = tmp_path / "old.jsonl"
    old_meta = {"type": "meta", "format": 1, "strategy": "s", "fault": "f", "hard_deadline": 5.0}
    old_op = {
        "type": "op",
        "op_id": "w0-1",
        "worker": 0,
        "kind": "transfer",
        "phase": "warmup",
        "invoke": 0.0,
        "complete": 0.1,
        "result": "ok",
        "from_id": 1,
        "to_id": 2,
        "amount": 3,
    }
    path.write_text(json.dumps(old_meta) + "\n" + json.dumps(old_op) + "\n")
    record = load_jsonl(path)
    assert record.history.meta.workload == "bank"
    assert record.history.operations[0].txn is None
    assert record.lists is None


def test_a_bank_operation_is_saved_without_a_txn_field(tmp_path) -> None:
    op = Operation("w0-1", 0, Kind.TRANSFER, Phase.WARMUP, 0.0, 0.1, "ok", from_id=1, to_id=2)
    assert "txn" not in op.to_dict()


@pytest.mark.parametrize("record", ["meta", "op"])
def test_an_unknown_field_is_refused_in_one_line(tmp_path, record) -> None:
    meta = {"type": "meta", "format": 1, "strategy": "s", "fault": "f", "hard_deadline": 5.0}
    op = {
        "type": "op",
        "op_id": "w0-1",
        "worker": 0,
        "kind": "txn",
        "phase": "warmup",
        "invoke": 0.0,
        "complete": 0.1,
        "result": "ok",
    }
    {"meta": meta, "op": op}[record]["teleported"] = 1
    path = tmp_path / "new.jsonl"
    path.write_text(json.dumps(meta) + "\n" + json.dumps(op) + "\n")
    with pytest.raises(ValueError, match=r"unknown (CellMeta|Operation) field\(s\) teleported"):
        load_jsonl(path)


def test_the_plan_appends_unique_values_to_its_own_keys_and_reads_a_neighbours() -> None:
    plans = [ListAppendPlan(w, 3) for w in range(3)]
    ops = [plan.next_operation() for plan in plans for _ in range(8)]
    values = [v for op in ops for f, _, v in op.txn or () if f == "append"]
    assert len(values) == len(set(values)) > 0
    for op in ops:
        own = {2 * op.worker + 1, 2 * op.worker + 2}
        assert {k for f, k, _ in op.txn or () if f == "append"} <= own
        assert op.kind is Kind.TXN
    forced = plans[0].next_operation(Kind.READ)
    assert forced.txn and all(f == "r" for f, _, _ in forced.txn)
