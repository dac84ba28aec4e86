"""The matrix under pytest-xdist and as CI shards: the same verdicts as one serial run.

One serial run writes the whole JSON report; shard 1/2 runs under ``-n 2`` (two worker
processes, each with its own embedded Toxiproxy; the controller writes the report from their
test reports), shard 2/2 serially; ``mysql-chaos report merge`` joins the halves.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.support import run_cli

CELLS = ["--mysql-chaos-strategy=safe", "--mysql-chaos-strategy=ping-reconnect"]
CELLS += ["--mysql-chaos-strategy=tenacity-transaction", "--mysql-chaos-fault=kill-connection"]
CELLS += ["--mysql-chaos-fault=mid-transaction-drop", "--mysql-chaos-fault=ambiguous-commit"]


def verdicts(path: Path) -> dict[tuple[str, str], str]:
    cells = json.loads(path.read_text())["cells"]
    return {(cell["strategy"], cell["fault"]): cell["verdict"] for cell in cells}


def test_two_shards_one_under_xdist_merged_equal_a_single_runs_verdicts(pytester):
    whole, first, second, merged = (pytester.path / f"{n}.json" for n in ("w", "1", "2", "m"))
    pytester.runpytest_subprocess(
        "--mysql-chaos-matrix", *CELLS, f"--mysql-chaos-json={whole}"
    ).assert_outcomes(passed=9)
    sharded = pytester.runpytest_subprocess(
        "--mysql-chaos-matrix", *CELLS, "--shard=1/2", "-n", "2", f"--mysql-chaos-json={first}"
    )
    sharded.assert_outcomes(passed=5)
    sharded.stdout.fnmatch_lines(["*2 workers [[]5 items[]]*"])
    pytester.runpytest_subprocess(
        "--mysql-chaos-matrix", *CELLS, "--shard=2/2", f"--mysql-chaos-json={second}"
    ).assert_outcomes(passed=4, deselected=5)
    assert json.loads(first.read_text())["shard"] == [1, 2]
    assert len(verdicts(first)) == 5 and len(verdicts(second)) == 4
    assert set(verdicts(first)).isdisjoint(verdicts(second))
    merge = run_cli("report", "merge", str(first), str(second), "--json", str(merged))
    assert merge.returncode == 0, merge.stdout + merge.stderr
    assert verdicts(merged) == verdicts(whole)
    # Not a vacuous equality: the caught strategies were caught in both.
    assert verdicts(whole)[("tenacity-transaction", "ambiguous-commit")] == "dup"
    assert verdicts(whole)[("ping-reconnect", "mid-transaction-drop")] == "partial"
