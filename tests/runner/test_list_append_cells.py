"""List-append cells against a real server through the real matrix runner: a transaction re-run
after an ambiguous commit is caught by the list-append checks (the bank's totals cannot see it),
the reference safe strategy passes, and each cell's Elle history is written and reads back."""

from __future__ import annotations

from pathlib import Path

from mysql_chaos_apps.strategies.safe import SafeStrategy

from chaos.faults import FAULTS
from chaos.runner.matrix import run_matrix
from chaos.workload.elle import export_history_file
from chaos.workload.history import load_jsonl
from tests.cli.support import run_cli
from tests.workload.edn_reader import read_edn

from .broken_strategies import RerunAfterAmbiguousCommit


def test_a_rerun_after_an_ambiguous_commit_is_a_duplicate_append_and_safe_passes(tmp_path: Path):
    run = run_matrix(
        [("rerun", RerunAfterAmbiguousCommit), ("safe", SafeStrategy)],
        [FAULTS.get("ambiguous-commit")],
        jobs=2,
        history_dir=tmp_path,
        workload="list-append",
    )
    results = {r.strategy: r for r in run.results}
    assert [(r.error, r.skipped) for r in results.values()] == [(None, None)] * 2
    assert results["rerun"].violations == ("duplicate-append",)
    assert results["safe"].violations == ()
    # The saved history is a list-append one, and re-checks the same offline.
    record = load_jsonl(results["rerun"].history_file or "")
    assert record.history.meta.workload == "list-append" and record.lists is not None
    elle = export_history_file(results["rerun"].history_file or "", tmp_path)
    ops = [read_edn(line) for line in elle.read_text().splitlines()]
    final = ops[-1]["value"]
    doubled = [values for _, _, values in final if len(values) != len(set(values))]
    assert doubled, "the final read Elle sees holds the doubled appends"


def test_check_refuses_expected_verdicts_with_the_list_append_workload(tmp_path: Path) -> None:
    expected = tmp_path / "expected.toml"
    expected.write_text("")
    result = run_cli(
        "check",
        "tests.runner.broken_strategies:RerunAfterAmbiguousCommit",
        "--workload",
        "list-append",
        "--expected",
        str(expected),
    )
    assert result.returncode == 2
    assert "judge the bank workload only" in result.stderr and "Traceback" not in result.stderr


def test_matrix_refuses_elle_in_app_mode(tmp_path: Path) -> None:
    result = run_cli("matrix", "--app", "--elle", str(tmp_path / "elle"))
    assert result.returncode == 2
    assert "--elle" in result.stderr and "Traceback" not in result.stderr
