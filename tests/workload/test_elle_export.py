"""Histories as Jepsen's Elle reads them: well-formed EDN, one operation map per line, with the
shape Elle's list-append model needs; and, where elle-cli exists, Elle's own verdict on them."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from chaos.workload.elle import edn, to_edn
from chaos.workload.history import CellMeta, History, Kind, Operation, Phase, Result
from chaos.workload.list_state import ListState
from chaos.workload.state import AccountState, BankState, LedgerRow

from .edn_reader import read_edn


def txn(op_id: str, worker: int, result: str, mops: list, invoke: float) -> Operation:
    return Operation(
        op_id, worker, Kind.TXN, Phase.FAULT, invoke, invoke + 0.5, Result(result), txn=mops
    )


def list_history(*ops: Operation) -> History:
    return History(CellMeta("s", "f", 5.0, workers=2, workload="list-append"), ops)


CLEAN = list_history(
    txn("w0-1", 0, "ok", [["append", 1, 1], ["r", 2, []]], 0.0),
    txn("w1-1", 1, "unknown", [["append", 2, 1000001], ["r", 1, None]], 0.2),
    txn("w1-2", 1, "ok", [["append", 2, 1000002], ["r", 2, [1000001, 1000002]]], 1.0),
    txn("w0-2", 0, "fail", [["append", 1, 2]], 1.1),
)
CLEAN_FINAL = ListState({1: (1,), 2: (1000001, 1000002)})


def parsed(text: str) -> list[dict]:
    lines = text.splitlines()
    assert lines and all(line.startswith("{") for line in lines)
    return [read_edn(line) for line in lines]


def test_every_line_is_one_well_formed_edn_operation_map_in_index_order() -> None:
    ops = parsed(to_edn(CLEAN, CLEAN_FINAL))
    assert [op["index"] for op in ops] == list(range(len(ops)))
    for op in ops:
        assert set(op) == {"index", "type", "f", "value", "process", "time"}
        assert op["f"] == "txn" and op["type"] in {"invoke", "ok", "fail", "info"}
        assert isinstance(op["time"], int) and isinstance(op["process"], int)
    times = [op["time"] for op in ops]
    assert times == sorted(times)


def test_each_invoke_is_completed_by_its_process_and_reads_carry_values_only_when_ok() -> None:
    ops = parsed(to_edn(CLEAN, CLEAN_FINAL))
    open_by_process: dict[int, dict] = {}
    for op in ops:
        if op["type"] == "invoke":
            assert op["process"] not in open_by_process, "a process ran two operations at once"
            assert all(mop[2] is None for mop in op["value"] if mop[0] == "r")
            open_by_process[op["process"]] = op
            continue
        invoked = open_by_process.pop(op["process"])
        assert [mop[:2] for mop in op["value"]] == [mop[:2] for mop in invoked["value"]]
        reads = [mop[2] for mop in op["value"] if mop[0] == "r"]
        assert all(r is not None for r in reads) if op["type"] == "ok" else not any(reads)
    assert not open_by_process
    completions = [(op["process"], op["type"]) for op in ops if op["type"] != "invoke"]
    # w1's second transaction comes after an :info, so from a new process (1 + 2 workers).
    assert (1, "info") in completions and (3, "ok") in completions
    assert (1, "ok") not in completions


def test_the_final_lists_close_the_history_as_one_ok_read_of_every_key() -> None:
    last = parsed(to_edn(CLEAN, CLEAN_FINAL))[-1]
    assert last["type"] == "ok"
    assert last["value"] == [["r", 1, [1]], ["r", 2, [1000001, 1000002]]]


def test_a_bank_transfer_is_the_append_of_its_number_to_both_accounts_moves() -> None:
    ops = (
        Operation("w0-1", 0, Kind.TRANSFER, Phase.WARMUP, 0, 0.1, Result.OK, from_id=1, to_id=2),
        Operation("w0-2", 0, Kind.READ, Phase.WARMUP, 0.2, 0.3, Result.OK, read_total=2000),
        Operation(
            "w0-3", 0, Kind.TRANSFER, Phase.FAULT, 0.4, 0.5, Result.UNKNOWN, from_id=2, to_id=1
        ),
    )
    state = BankState(
        accounts=(
            AccountState(1, 1000, "=1000;-w0-1:5;+w0-3:6;+w0-3:6;"),
            AccountState(2, 1000, "=1000;+w0-1:5;-w0-3:6;-w0-3:6;"),
        ),
        ledger=(LedgerRow(1, "w0-1", 1, 2, 5),),
    )
    history = History(CellMeta("s", "f", 5.0, workers=1), ops)
    result = parsed(to_edn(history, state))
    assert [op["value"] for op in result if op["type"] == "invoke"][:2] == [
        [["append", 1, 1], ["append", 2, 1]],
        [["append", 2, 2], ["append", 1, 2]],
    ]
    # The doubled transfer shows as a value twice in the final read, as Elle sees duplicates.
    assert result[-1]["value"] == [["r", 1, [1, 2, 2]], ["r", 2, [1, 2, 2]]]


def test_strings_and_keywords_are_escaped_as_edn() -> None:
    assert read_edn(edn({"a": 'say "hi"\n', "b": [None, True, -3]})) == {
        "a": 'say "hi"\n',
        "b": [None, True, -3],
    }
    with pytest.raises(ValueError):
        read_edn("{:a 1 :b}")


DOUBLED = list_history(txn("w0-1", 0, "ok", [["append", 1, 1]], 0.0))
DOUBLED_FINAL = ListState({1: (1, 1)})


@pytest.mark.skipif(
    not os.environ.get("MYSQL_CHAOS_ELLE_CLI"),
    reason="set MYSQL_CHAOS_ELLE_CLI to an elle-cli command (a jar is run with java -jar)",
)
def test_elle_cli_finds_the_clean_history_valid_and_the_doubled_append_invalid(tmp_path: Path):
    command = os.environ["MYSQL_CHAOS_ELLE_CLI"]
    runner = ["java", "-jar", command] if command.endswith(".jar") else command.split()
    verdicts = {}
    for name, history, final in (
        ("clean", CLEAN, CLEAN_FINAL),
        ("doubled", DOUBLED, DOUBLED_FINAL),
    ):
        path = tmp_path / f"{name}.edn"
        path.write_text(to_edn(history, final))
        done = subprocess.run(
            [*runner, "--model", "list-append", str(path)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        verdicts[name] = done.stdout.strip().split()[-1] if done.stdout.strip() else done.stderr
    assert verdicts == {"clean": "true", "doubled": "false"}


# What the list-append checks call nonmonotonic-read and internal-read, as histories.
SEEN_THEN_GONE = list_history(
    Operation("w0-1", 0, Kind.TXN, Phase.FAULT, 0.0, 3.0, Result.OK, txn=[["append", 1, 1]]),
    txn("w1-1", 1, "ok", [["r", 1, [1]]], 0.5),
    txn("w1-2", 1, "ok", [["r", 1, []]], 1.5),
)
OWN_APPEND_MISSED = list_history(txn("w0-1", 0, "ok", [["append", 1, 1], ["r", 1, []]], 0.0))


@pytest.mark.skipif(
    not os.environ.get("MYSQL_CHAOS_ELLE_CLI"),
    reason="set MYSQL_CHAOS_ELLE_CLI to an elle-cli command (a jar is run with java -jar)",
)
@pytest.mark.parametrize(
    ("history", "anomaly"),
    [(SEEN_THEN_GONE, "G-single-item-realtime"), (OWN_APPEND_MISSED, "internal")],
)
def test_elle_finds_what_the_list_append_checks_find(
    tmp_path: Path, history: History, anomaly: str
) -> None:
    command = os.environ["MYSQL_CHAOS_ELLE_CLI"]
    runner = ["java", "-jar", command] if command.endswith(".jar") else command.split()
    path = tmp_path / "history.edn"
    path.write_text(to_edn(history, ListState({1: (1,)})))
    done = subprocess.run(
        [*runner, "--model", "list-append", "--verbose", str(path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert anomaly in done.stdout
