"""Histories as JSON lines: saved, loaded and re-checked offline."""

from __future__ import annotations

import json

import pytest

from chaos.checker import check, check_record
from chaos.fault_effect import FaultEffect
from chaos.workload.bank import read_state
from chaos.workload.driver import WorkloadDriver
from chaos.workload.history import (
    CellMeta,
    History,
    Kind,
    Operation,
    Phase,
    history_file_name,
    load_jsonl,
    save_jsonl,
)

from .conftest import INITIAL_TOTAL
from .strategies import ScriptedStrategy


def test_a_run_saved_as_json_lines_loads_back_equal_and_rechecks_the_same(bank, tmp_path):
    # A run with every result, a heal and a violation, so the round trip has something to lose.
    strategy = ScriptedStrategy(
        bank,
        refuse=frozenset({"w0-6"}),
        lose_reply=frozenset({"w1-1"}),
        lie_failed=frozenset({"w0-5"}),
    )
    with WorkloadDriver(strategy, workers=2) as driver:
        driver.run_concurrently(4, Phase.WARMUP)
        driver.run_one_at_a_time(2, Phase.FAULT)
        driver.mark_heal()
        driver.run_until_recovered(Phase.RECOVERY, 5)
    history = driver.history("scripted", "none", initial_total=INITIAL_TOTAL, recovery_deadline=5)
    state = read_state(bank)
    live = check(history, state, initial_total=INITIAL_TOTAL, recovery_deadline=5)

    path = tmp_path / "cell.jsonl"
    save_jsonl(path, history, state)
    record = load_jsonl(path)

    assert record.history == history
    assert record.state == state
    assert check_record(record) == live
    assert [v.kind for v in live.violations] == ["false-failure"]
    assert all(json.loads(line)["type"] in {"meta", "op", "state"} for line in path.open())


def test_a_history_without_state_loads_with_none(tmp_path):
    history = History(
        CellMeta("s", "f", hard_deadline=1.0),
        (Operation("w0-1", 0, Kind.READ, Phase.WARMUP, 0.1, 0.2, "ok", read_total=8000),),
    )
    save_jsonl(tmp_path / "h.jsonl", history)
    record = load_jsonl(tmp_path / "h.jsonl")
    assert record.history == history and record.state is None
    with pytest.raises(ValueError, match="no final state"):
        check_record(record)


def test_what_the_fault_did_is_kept_and_a_history_saved_before_that_still_loads(tmp_path):
    struck = FaultEffect(True, 2, "killed 2 client sessions")
    meta = CellMeta("s", "f", hard_deadline=1.0, inject_effect=struck, heal_effect=FaultEffect())
    save_jsonl(tmp_path / "h.jsonl", History(meta))
    loaded = load_jsonl(tmp_path / "h.jsonl").history.meta
    assert (loaded.inject_effect, loaded.heal_effect) == (struck, FaultEffect(None, None, ""))
    # A history written before effects were recorded: its meta has neither key.
    old = {"type": "meta", "format": 1, "strategy": "s", "fault": "f", "hard_deadline": 1.0}
    (tmp_path / "old.jsonl").write_text(json.dumps(old) + "\n")
    meta = load_jsonl(tmp_path / "old.jsonl").history.meta
    assert (meta.inject_effect, meta.heal_effect) == (None, None)


def test_an_unknown_format_version_is_refused(tmp_path):
    path = tmp_path / "h.jsonl"
    path.write_text(json.dumps({"type": "meta", "format": 99, "strategy": "s"}) + "\n")
    with pytest.raises(ValueError, match="format 99"):
        load_jsonl(path)


def test_history_file_names_hold_only_portable_characters() -> None:
    name = history_file_name("mypkg.db:make", "kill-connection")
    assert name == "mypkg.db_make__kill-connection.jsonl"
    assert history_file_name("a/b:c", "outage", prefix="app") == "app__a_b_c__outage.jsonl"


def test_a_reads_session_state_is_kept_and_a_history_saved_before_that_still_loads(tmp_path):
    seen = {"time_zone": "+03:00", "holds_named_lock": None}
    read = Operation("w0-3", 0, Kind.READ, Phase.WARMUP, 0.1, 0.2, "ok", read_total=8, session=seen)
    save_jsonl(tmp_path / "h.jsonl", History(CellMeta("s", "f", hard_deadline=1.0), (read,)))
    [loaded] = load_jsonl(tmp_path / "h.jsonl").history.operations
    assert loaded.session == seen
    # An operation written before readings were recorded: no "session" key.
    meta = {"type": "meta", "format": 1, "strategy": "s", "fault": "f", "hard_deadline": 1.0}
    old = {k: v for k, v in {"type": "op", **read.to_dict()}.items() if k != "session"}
    (tmp_path / "old.jsonl").write_text(json.dumps(meta) + "\n" + json.dumps(old) + "\n")
    [op] = load_jsonl(tmp_path / "old.jsonl").history.operations
    assert op.session is None and op.read_total == 8
