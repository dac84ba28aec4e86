"""Report and history paths are checked before the first cell runs: one line, exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.support import run_cli

ONE_CELL = ("matrix", "--strategy", "naive-global", "--fault", "kill-connection")


@pytest.mark.parametrize(
    ("option", "path", "why"),
    [
        ("--json", "/nonexistent/dir/r.json", "directory /nonexistent/dir does not exist"),
        ("--junit", "/nonexistent/dir/r.xml", "directory /nonexistent/dir does not exist"),
        ("--markdown", "/nonexistent/dir/r.md", "directory /nonexistent/dir does not exist"),
        ("--html", "/nonexistent/dir/r.html", "directory /nonexistent/dir does not exist"),
        ("--histories", "/nonexistent/dir/h", "directory /nonexistent/dir does not exist"),
        ("--json", "/proc/mysql-chaos-r.json", "cannot write"),  # unwritable even for root
        ("--histories", "/proc/mysql-chaos-h", "cannot write"),
    ],
)
def test_a_bad_report_path_is_one_line_and_exit_two_before_any_cell(
    option: str, path: str, why: str
) -> None:
    result = run_cli(*ONE_CELL, option, path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith(f"mysql-chaos: {option} {path}: {why}")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stdout == ""  # no cell started


def test_a_report_path_that_is_a_directory_is_refused(tmp_path: Path) -> None:
    result = run_cli(*ONE_CELL, "--json", str(tmp_path))
    assert result.returncode == 2
    assert "is a directory" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_good_paths_are_written_after_the_run(tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    histories = tmp_path / "histories"
    result = run_cli(*ONE_CELL, "--json", str(report), "--histories", str(histories))
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads(report.read_text())
    assert data["exit_code"] == 0 and data["cells"][0]["status"] == "met"
    assert [p.name for p in histories.iterdir()] == ["naive-global__kill-connection.jsonl"]
