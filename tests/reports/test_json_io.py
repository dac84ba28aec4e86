"""The JSON report carries everything: every other report renders the same from it alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chaos.reports.html_page import html_grid
from chaos.reports.json_io import ReportFormatError, dumps_report, load_report
from chaos.reports.junit import junit
from chaos.reports.markdown import markdown
from chaos.reports.terminal import text_report

from .cells import errored, passed, report, results, skipped


def _reload(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "report.json"
    path.write_text(text)
    return path


@pytest.mark.parametrize("render", [text_report, markdown, junit, html_grid, dumps_report])
def test_every_report_renders_the_same_from_the_json_alone(tmp_path: Path, render) -> None:
    original = report(
        (*results()[:3], errored("safe", "kill-connection")), shard=(2, 3), allow_skip=True
    )
    loaded = load_report(_reload(tmp_path, dumps_report(original)))
    assert render(loaded) == render(original)


def test_the_json_holds_legend_timelines_expectations_and_the_gate() -> None:
    data = json.loads(dumps_report(report()))
    assert {"short": "norec", "name": "not-recovered"}.items() <= data["legend"][5].items()
    cell = next(c for c in data["cells"] if c["strategy"] == "naive-global")
    assert cell["verdict"] == "norec" and cell["violations"][0]["kind"] == "not-recovered"
    assert cell["violations"][0]["short"] == "norec"
    assert cell["expected"] == ["not-recovered"] and cell["expected_why"] == "one connection"
    assert cell["timeline"]["operations"][0] == [
        "w0-1",
        0,
        100,
        120,
        "unknown",
        "transfer",
        "CR_SERVER_LOST",
    ]
    safe = next(c for c in data["cells"] if c["strategy"] == "safe")
    assert safe["recovered_after_inject"] == 0.35
    assert safe["recovered_after_heal"] == pytest.approx(0.05)
    assert (data["exit_code"], data["shard"], data["format"]) == (0, None, 2)


def test_a_skipped_cell_round_trips_with_its_reason(tmp_path: Path) -> None:
    original = report((*results()[:3], skipped("safe", "kill-connection")))
    loaded = load_report(_reload(tmp_path, dumps_report(original)))
    cell = loaded.cell("safe", "kill-connection")
    assert cell is not None and cell.result.skipped == "needs CAP_NET_ADMIN"
    assert int(loaded.gate.exit_code) == 3


def _edited(edit) -> str:
    data = json.loads(dumps_report(report((passed("safe", "outage"),))))
    edit(data)
    return json.dumps(data)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not JSON"),
        ("[1, 2]", "not a mysql-chaos JSON report"),
        (_edited(lambda d: d.update(format=1)), "report format 1"),
        (_edited(lambda d: d.pop("strategies")), "missing key 'strategies'"),
        (_edited(lambda d: d["cells"][0].pop("timeline")), "cells[0]: missing key 'timeline'"),
        (
            _edited(lambda d: d["cells"][0].update(fault="nope")),
            "safe x nope is not on the grid's axes",
        ),
        (_edited(lambda d: d["cells"][0].update(seconds="soon")), "cells[0]"),
        (
            _edited(lambda d: d["cells"][0]["timeline"].update(columns=["x"])),
            "timeline columns",
        ),
        (_edited(lambda d: d.update(exit_code=1)), "says exit 1, but its cells earn exit 0"),
    ],
)
def test_a_file_that_is_not_a_report_is_one_line_naming_it(
    tmp_path: Path, text: str, message: str
) -> None:
    path = _reload(tmp_path, text)
    with pytest.raises(ReportFormatError) as raised:
        load_report(path)
    assert str(raised.value).startswith(f"{path}: ")
    assert message in str(raised.value) and "\n" not in str(raised.value)


def test_an_unknown_violation_kind_is_refused(tmp_path: Path) -> None:
    def edit(data: dict) -> None:
        data["cells"][0]["violations"] = [
            {"kind": "teleported", "short": "?", "op_ids": [], "detail": ""}
        ]

    with pytest.raises(ReportFormatError, match="teleported"):
        load_report(_reload(tmp_path, _edited(edit)))


def test_a_missing_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ReportFormatError, match="cannot read"):
        load_report(tmp_path / "absent.json")
