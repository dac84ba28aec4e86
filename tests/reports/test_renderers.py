"""What each report shows: one vocabulary, a legend everywhere, tooltips without repeats, and a
timeline per cell in the HTML page."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from xml.etree import ElementTree

from chaos.checker import CheckResult, Violation, ViolationKind
from chaos.fault_effect import FaultEffect
from chaos.reports.html_page import html_grid, tooltip
from chaos.reports.json_io import dumps_report, report_from_dict
from chaos.reports.junit import junit
from chaos.reports.markdown import markdown
from chaos.reports.terminal import text_report
from chaos.verdicts.cell_result import CellResult

from .cells import passed, report, results, timeline


def test_every_format_carries_the_legend_of_every_word() -> None:
    page, table, text = html_grid(report()), markdown(report()), text_report(report())
    for kind in ViolationKind:
        assert f">{kind.short}</span>{kind}: {kind.meaning}" in page or kind.short == str(kind)
        assert f"**{kind.short}**" in table
        assert re.search(rf"^  {re.escape(kind.short)} +", text, re.MULTILINE)
    assert "from the fault's start (inject) / from heal" in page + table + text


def test_the_grids_use_the_same_words_as_the_json_and_progress_lines() -> None:
    text = text_report(report())
    assert re.search(r"^naive-global +norec +norec$", text, re.MULTILINE)
    assert re.search(r"^safe +pass +pass$", text, re.MULTILINE)
    assert "| naive-global | norec never | norec never |" in markdown(report())
    assert "| safe | pass 0.35/0.05 | pass 0.35/0.05 |" in markdown(report())


def test_a_mismatch_is_marked_in_every_grid_with_what_was_expected() -> None:
    broken = report((passed("naive-global", "outage"), *results()[1:]))
    assert "pass!" in text_report(broken)
    assert "- naive-global x outage: pass!: expected norec" in markdown(broken)
    case = ElementTree.fromstring(junit(broken)).find(".//testcase[@name='outage']")
    assert case is not None
    failure = case.find("failure")
    assert failure is not None and failure.get("message") == "measured pass, expected norec"
    properties = {p.get("name"): p.get("value") for p in case.iter("property")}
    assert properties == {
        "verdict": "pass",
        "expected": "norec",
        "status": "mismatch",
        "recovery": "0.35/0.05",
    }


def test_the_tooltip_names_each_kind_once_with_distinct_operation_ids() -> None:
    violations = (
        Violation("partial", ("w0-3", "w1-4"), "total balance 7990, expected 8000"),
        Violation("partial", ("w0-3",), "w0-3 not all-or-nothing"),
        Violation("partial", ("w1-4",), "w1-4 not all-or-nothing"),
        Violation("partial", ("w0-3",), "w0-3 not all-or-nothing"),
    )
    cell_result = CellResult("safe", "outage", 1.0, check=CheckResult(violations, 0.0, 0, 0, 9))
    cell = report((cell_result,)).cell("safe", "outage")
    assert cell is not None
    text = tooltip(cell)
    assert text.count("partial (") == 1
    assert "partial (a transfer half-applied, or money not conserved): w0-3, w1-4" in text
    assert text.count("w0-3 not all-or-nothing") == 1


def test_each_cell_has_a_timeline_drawn_from_its_operations() -> None:
    page = html_grid(report())
    assert page.count("<svg") == 4
    safe = page[page.index('id="c2"') :].split("</figure>")[0]  # safe x outage
    assert len(re.findall(r'<rect [^>]*class="(ok|fail|unknown)', safe)) == 3
    assert "fault: inject at 100 ms, heal at 400 ms" in safe
    assert "recovered at 450 ms" in safe  # inject + 0.35 s
    assert "w0-1 transfer fail 20 ms CR_SERVER_LOST" in safe
    assert 'href="#c2"' in page  # the grid cell jumps to it


def test_a_long_operation_draws_a_longer_bar() -> None:
    quick = timeline("ok", "ok")
    slow = replace(quick.operations[1], complete_ms=900)
    cell = replace(
        passed("safe", "outage"), timeline=replace(quick, operations=(quick.operations[0], slow))
    )
    page = html_grid(report((cell,)))
    widths = [float(w) for w in re.findall(r'<rect [^>]*width="([\d.]+)" height="9"', page)]
    assert len(widths) == 2 and widths[1] > 10 * widths[0]


def test_the_page_is_self_contained() -> None:
    page = html_grid(report())
    assert "<script" not in page and "src=" not in page
    assert not re.search(r'href="(?!#)', page)


def _unexercised(strategy: str, fault: str) -> CellResult:
    detail = f"fault {fault} never struck the code under test: killed 0 client sessions"
    check = CheckResult((Violation("unexercised", (), detail),), None, 0, 0, 10)
    strike = FaultEffect(False, 0, "killed 0 client sessions")
    return CellResult(strategy, fault, 1.0, check=check, strike=strike)


def test_a_fault_that_never_struck_reads_unexercised_in_every_report_and_fails_the_gate() -> None:
    cells = (*results()[:3], _unexercised("safe", "kill-connection"))
    judged = report(cells)
    assert not judged.ok and int(judged.gate.exit_code) == 1
    assert re.search(r"^safe +pass +unexercised!$", text_report(judged), re.MULTILINE)
    assert "| safe | pass 0.35/0.05 | unexercised! never |" in markdown(judged)
    assert "**unexercised**" in markdown(judged)
    case = ElementTree.fromstring(junit(judged)).find(".//testcase[@name='kill-connection']")
    assert case is not None and case.get("classname") in ("safe", "naive-global")
    page = html_grid(judged)
    assert "unexercised!" in page and "the fault never struck the code under test" in page
    data = json.loads(dumps_report(judged))
    (cell,) = [c for c in data["cells"] if c["verdict"] == "unexercised"]
    assert cell["strike"] == {"struck": False, "count": 0, "detail": "killed 0 client sessions"}
    assert report_from_dict(data).cell("safe", "kill-connection").result.strike == FaultEffect(
        False, 0, "killed 0 client sessions"
    )


def test_a_strike_the_fault_cannot_count_is_marked_not_judged() -> None:
    unknown = replace(passed("safe", "outage"), strike=FaultEffect(detail="proxy disabled"))
    judged = report((*results()[:2], unknown, results()[3]))
    assert judged.ok
    assert re.search(r"^safe +pass\? +pass$", text_report(judged), re.MULTILINE)
    assert "| safe | pass? 0.35/0.05 |" in markdown(judged)
    assert "**?** strike-unknown: the fault cannot tell" in markdown(judged)
    assert "the fault: proxy disabled: strikes not counted" in tooltip(judged.cells[2])
