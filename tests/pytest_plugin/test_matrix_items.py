"""``pytest --mysql-chaos-matrix``: the matrix's cells as pytest items (pytester, real cells)."""

from __future__ import annotations

import json
from xml.etree import ElementTree

import pytest

from chaos.faults.base import select_faults
from chaos.runner.shard import select_shard
from chaos.strategy import strategies
from chaos.strategy.expectations import expected_verdicts
from chaos.verdicts.vocabulary import verdict_words

SUBSET = ["--mysql-chaos-strategy", "naive-global", "--mysql-chaos-strategy", "safe"]
SUBSET += ["--mysql-chaos-strategy", "ping-reconnect"]
SUBSET += ["--mysql-chaos-fault", "kill-connection", "--mysql-chaos-fault", "mid-transaction-drop"]


def collected(pytester: pytest.Pytester, *args: str) -> list[str]:
    result = pytester.runpytest("--mysql-chaos-matrix", "--collect-only", "-q", *args)
    assert result.ret == pytest.ExitCode.OK
    return [line for line in result.outlines if line.startswith("mysql-chaos-matrix::")]


def test_one_item_per_cell_with_ids_that_name_no_file_in_the_matrixs_order(pytester):
    ids = collected(pytester)
    assert ids == [
        f"mysql-chaos-matrix::{strategy}::{fault}"
        for fault in select_faults(None)  # the catalogue less the faults run only when named
        for strategy in strategies().names()
    ]
    assert not any(id.endswith("::replica-lag-read") for id in ids)


def test_shards_are_disjoint_cover_every_cell_and_follow_the_shared_rule(pytester):
    every = collected(pytester)
    shards = [collected(pytester, "--shard", f"{k}/3") for k in (1, 2, 3)]
    assert [len(shard) for shard in shards] == [
        len(every) // 3 + (k < len(every) % 3) for k in range(3)
    ]
    assert sorted(id for shard in shards for id in shard) == sorted(every)
    assert shards == [select_shard(every, k, 3) for k in (1, 2, 3)]


def test_test_paths_beside_the_matrix_are_refused_in_one_line(pytester):
    pytester.makepyfile("def test_x(): pass")
    result = pytester.runpytest_subprocess(
        "--mysql-chaos-matrix", "test_test_paths_beside_the_matrix_are_refused_in_one_line.py"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["ERROR: --mysql-chaos-matrix collects the matrix cells, not test files: drop *"]
    )


def test_each_item_meets_its_expectation_and_records_verdict_and_expected(pytester):
    junit, report = pytester.path / "matrix.xml", pytester.path / "matrix.json"
    result = pytester.runpytest(
        "--mysql-chaos-matrix", *SUBSET, f"--junitxml={junit}", f"--mysql-chaos-json={report}"
    )
    result.assert_outcomes(passed=6)
    expectations = expected_verdicts()
    recorded = {}
    for case in ElementTree.parse(junit).getroot().iter("testcase"):
        properties = {p.get("name"): p.get("value") for p in case.iter("property")}
        recorded[(case.get("classname").rsplit(".", 1)[-1], case.get("name"))] = properties
    assert {key: (p["verdict"], p["expected"], p["status"]) for key, p in recorded.items()} == {
        key: (verdict_words(e.violations), verdict_words(e.violations), "met")
        for key, e in expectations.items()
        if key in recorded
    }
    assert len(recorded) == 6
    # The caught strategies really were caught: the verdicts are not all "pass".
    assert recorded[("naive-global", "kill-connection")]["verdict"] == "flost+norec"
    assert recorded[("ping-reconnect", "mid-transaction-drop")]["verdict"] == "partial"
    written = json.loads(report.read_text())
    assert written["ok"] is True and written["shard"] is None
    assert {(c["strategy"], c["fault"]): c["verdict"] for c in written["cells"]} == {
        key: properties["verdict"] for key, properties in recorded.items()
    }


USER_STRATEGIES = """
from mysql_chaos_apps.strategies import BUNDLED

safe_copy = BUNDLED["safe"]

def broken(config):
    raise RuntimeError("the pool could not be built")
"""


def test_a_strategy_of_yours_is_held_to_every_invariant_and_an_error_cell_fails(pytester):
    pytester.makepyfile(user_strategies=USER_STRATEGIES)
    junit = pytester.path / "matrix.xml"
    # No syspathinsert: the rootdir is importable as under `python -m pytest`.
    result = pytester.runpytest(
        "--mysql-chaos-matrix",
        "--mysql-chaos-fault=kill-connection",
        "--mysql-chaos-strategy=user_strategies:safe_copy",
        "--mysql-chaos-strategy=user_strategies:broken",
        f"--junitxml={junit}",
    )
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        ["*user_strategies:broken x kill-connection: error: *the pool could not be built*"]
    )
    expected = {
        case.get("classname").rsplit(".", 1)[-1]: {
            p.get("name"): p.get("value") for p in case.iter("property")
        }["expected"]
        for case in ElementTree.parse(junit).getroot().iter("testcase")
    }
    assert expected["user_strategies:safe_copy"] == "every invariant"


def test_a_cell_that_cannot_run_here_is_a_skip_with_its_reason(pytester, external_account_url):
    result = pytester.runpytest(
        "--mysql-chaos-matrix",
        "--mysql-chaos-strategy=safe",
        "--mysql-chaos-fault=server-restart",
        f"--mysql-chaos-server-url={external_account_url}",
        "-rs",
    )
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(
        ["*safe x server-restart: needs a server whose process the suite owns*"]
    )
