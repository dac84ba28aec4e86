"""``mysql-chaos report merge``, run as CI runs it on the shards' JSON reports."""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.etree import ElementTree

from chaos.reports.json_io import dumps_report
from chaos.runner.shard import select_shard
from tests.reports.cells import passed, report, results

from .support import run_cli


def _write_shards(tmp_path: Path, cells=None, total: int = 2) -> list[str]:
    cells = results() if cells is None else cells
    paths = []
    for k in range(1, total + 1):
        path = tmp_path / f"shard{k}.json"
        path.write_text(
            dumps_report(report(tuple(select_shard(cells, k, total)), shard=(k, total)))
        )
        paths.append(str(path))
    return paths


def test_merge_writes_every_report_and_exits_zero_when_every_cell_met(tmp_path: Path) -> None:
    out = {ext: tmp_path / f"merged.{ext}" for ext in ("json", "xml", "md", "html")}
    result = run_cli(
        "report",
        "merge",
        *_write_shards(tmp_path),
        "--json",
        str(out["json"]),
        "--junit",
        str(out["xml"]),
        "--markdown",
        str(out["md"]),
        "--html",
        str(out["html"]),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 report(s), 4 cells" in result.stdout
    assert re.search(r"^  norec +not-recovered:", result.stdout, re.MULTILINE)  # the legend
    assert json.loads(out["json"].read_text())["shard"] is None
    assert ElementTree.parse(out["xml"]).getroot().get("tests") == "4"
    assert "| safe |" in out["md"].read_text()
    assert "<svg" in out["html"].read_text()


def test_merge_exits_one_when_a_shard_holds_a_mismatch(tmp_path: Path) -> None:
    cells = (passed("naive-global", "outage"), *results()[1:])
    result = run_cli("report", "merge", *_write_shards(tmp_path, cells))
    assert result.returncode == 1
    assert "MISMATCH naive-global x outage: measured pass, expected norec" in result.stdout


def test_merge_of_a_cell_in_two_files_is_one_line_and_exit_two(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(dumps_report(report()))
    (tmp_path / "b.json").write_text(dumps_report(report()))
    result = run_cli("report", "merge", str(tmp_path / "a.json"), str(tmp_path / "b.json"))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "naive-global x outage is in both" in result.stderr


def test_merge_of_a_malformed_file_is_one_line_and_exit_two(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"cells": [}')
    result = run_cli("report", "merge", str(bad))
    assert result.returncode == 2
    assert result.stderr == f"mysql-chaos: {bad}: not JSON: " + result.stderr.split("not JSON: ")[1]
    assert result.stderr.count("\n") == 1
