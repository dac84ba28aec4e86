"""The HTML report: the verdict grid, its legend, and every cell's timeline below it.

One self-contained page (inline CSS and SVG; no script, nothing fetched). A grid cell shows the
verdict's words and the times to recover; its tooltip lists each violation kind once with the
operations that prove it; a click jumps to the cell's timeline.
"""

from __future__ import annotations

from html import escape

from chaos.reports.format import ReportFormat
from chaos.reports.legend import RECOVERY, legend_entries
from chaos.reports.model import JudgedCell, MatrixReport
from chaos.reports.svg_timeline import (
    FAULT_WINDOW_COLOUR,
    RECOVERED_COLOUR,
    RESULT_COLOURS,
    timeline_svg,
)
from chaos.reports.svg_timeline import (
    STYLE as TIMELINE_STYLE,
)
from chaos.verdicts.vocabulary import ERROR, MISMATCH, PASS, SKIP

# unexercised: nothing was tested, a verdict apart from the client's violations.
_COLOURS = {PASS: "#2e7d32", SKIP: "#9e9e9e", ERROR: "#212121", "unexercised": "#6d4c41"}
_VIOLATION = "#c62828"
_MISMATCH = "#ff9800"
_IDS_SHOWN, _DETAILS_SHOWN = 8, 3

_STYLE = (
    "body{font-family:sans-serif;margin:16px;color:#222}"
    "h1{font-size:20px;margin:0 0 6px}h2{font-size:16px;margin:18px 0 4px}"
    "h3{font-size:14px;margin:12px 0 4px}"
    ".gate{padding:6px 10px;color:#fff;display:inline-block;border-radius:3px}"
    "table{border-collapse:collapse}td,th{font-size:12px;padding:2px 3px}"
    "th.f{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;"
    "font-weight:normal;vertical-align:bottom;text-align:left}"
    "th.s{text-align:right;font-weight:normal;white-space:nowrap}"
    "td.v{color:#fff;text-align:center;min-width:50px;border:1px solid #fff}"
    "td.v a{color:inherit;text-decoration:none;display:block}"
    "td.v small{display:block;font-size:10px;opacity:.85}"
    "td.m{outline:3px solid " + _MISMATCH + ";outline-offset:-3px}"
    ".legend{display:flex;flex-wrap:wrap;gap:4px 14px;font-size:12px;margin:8px 0;"
    "max-width:1300px}.legend span.w{color:#fff;padding:0 4px;margin-right:4px;"
    "border-radius:2px;font-weight:bold}"
    ".cards{display:flex;flex-wrap:wrap;gap:8px}"
    "figure{margin:0;padding:4px;border:1px solid #ddd;width:250px}"
    "figure:target{outline:3px solid #1565c0}"
    "figcaption{font-size:11px;margin-bottom:2px}"
    "figcaption span.w{color:#fff;padding:0 3px;border-radius:2px}"
)


def _colour(cell: JudgedCell) -> str:
    return _COLOURS.get(cell.result.verdict, _VIOLATION)


def _anchor(index: int) -> str:
    return f"c{index}"


def _seconds(value: float | None) -> str:
    return "never" if value is None else f"{value:.2f} s"


def recovery_sentence(cell: JudgedCell) -> str:
    check = cell.result.check
    if check is None:
        return ""
    if check.recovered_after_inject is None or check.recovered_after_heal is None:
        return "never recovered"
    return (
        f"recovered {check.recovered_after_inject:.2f} s after inject, "
        f"{check.recovered_after_heal:.2f} s after heal"
    )


def tooltip(cell: JudgedCell) -> str:
    """Each violation kind once: its meaning, the distinct details and operation ids."""
    r = cell.result
    lines = [f"{r.strategy} x {r.fault}: {cell.label}"]
    if cell.status == "mismatch":
        lines.append(f"expected {cell.expected_label}")
    if r.skipped or r.error:
        lines.append(r.skipped or r.error or "")
    elif r.strike is not None:
        lines.append(f"the fault: {r.strike.describe()}")
    violations = r.check.violations if r.check else ()
    for kind in dict.fromkeys(v.kind for v in violations):
        of_kind = [v for v in violations if v.kind == kind]
        ids = list(dict.fromkeys(i for v in of_kind for i in v.op_ids))
        shown = ", ".join(ids[:_IDS_SHOWN]) + (
            f" (+{len(ids) - _IDS_SHOWN})" if len(ids) > _IDS_SHOWN else ""
        )
        lines.append(f"{kind.short} ({kind.meaning}): {shown}")
        details = list(dict.fromkeys(v.detail for v in of_kind))
        lines += [f"  {d}" for d in details[:_DETAILS_SHOWN]]
        if len(details) > _DETAILS_SHOWN:
            lines.append(f"  ... {len(details) - _DETAILS_SHOWN} more")
    if r.check is not None:
        lines.append(recovery_sentence(cell))
    return "\n".join(lines)


def _grid(report: MatrixReport, anchors: dict[tuple[str, str], str]) -> str:
    head = "".join(f'<th class="f">{escape(f)}</th>' for f in report.faults)
    rows = []
    for strategy in report.strategies:
        tds = []
        for fault in report.faults:
            cell = report.cell(strategy, fault)
            if cell is None:
                tds.append("<td></td>")
                continue
            mark = " m" if cell.status == "mismatch" else ""
            small = f"<small>{escape(cell.recovery)}</small>" if cell.result.check else ""
            tds.append(
                f'<td class="v{mark}" style="background:{_colour(cell)}" '
                f'title="{escape(tooltip(cell))}"><a href="#{anchors[(strategy, fault)]}">'
                f"{escape(cell.label)}{small}</a></td>"
            )
        rows.append(f'<tr><th class="s">{escape(strategy)}</th>{"".join(tds)}</tr>')
    return f"<table><tr><th></th>{head}</tr>{''.join(rows)}</table>"


def _legend() -> str:
    items = []
    for word, meaning in legend_entries():
        colour = _COLOURS.get(word, _MISMATCH if word == MISMATCH else _VIOLATION)
        word_html = f'<span class="w" style="background:{colour}">{escape(word)}</span>'
        items.append(f"<div>{word_html}{escape(meaning)}</div>")
    items.append(f"<div>{escape(RECOVERY)}</div>")
    return f'<div class="legend">{"".join(items)}</div>'


def _timeline_legend() -> str:
    swatch = '<span class="w" style="background:{}">{}</span>'
    parts = [swatch.format(colour, result) for result, colour in RESULT_COLOURS.items()]
    return (
        '<div class="legend"><div>One lane per worker (w0, w1, ...); each bar one operation '
        "from invoke to completion, so its length is its latency; colour: its result</div>"
        f"<div>{''.join(parts)}</div>"
        f'<div><span class="w" style="background:{FAULT_WINDOW_COLOUR};color:#222">fault</span>'
        "inject to heal</div>"
        f'<div><span class="w" style="background:{RECOVERED_COLOUR}">¦</span>recovered</div>'
        '<div><span class="w" style="background:#fff;color:#222;outline:1px solid #000">'
        "hang</span>an operation the driver stopped waiting for</div></div>"
    )


def _card(cell: JudgedCell, anchor: str) -> str:
    r = cell.result
    caption = (
        f'<b>{escape(r.strategy)}</b> <span class="w" style="background:{_colour(cell)}">'
        f"{escape(cell.label)}</span> "
        + escape(recovery_sentence(cell))
        + (f" (expected {escape(cell.expected_label)})" if cell.status == "mismatch" else "")
    )
    if r.timeline is None:
        body = f"<div>{escape(r.skipped or r.error or 'no timeline recorded')}</div>"
    else:
        check = r.check
        recovered = None
        if check and check.recovered_after_inject is not None and r.timeline.inject_ms is not None:
            recovered = r.timeline.inject_ms + round(check.recovered_after_inject * 1000)
        body = timeline_svg(r.timeline, recovered)
    return (
        f'<figure id="{anchor}" title="{escape(tooltip(cell))}">'
        f"<figcaption>{caption}</figcaption>{body}</figure>"
    )


def html_grid(report: MatrixReport) -> str:
    anchors = {
        (cell.result.strategy, cell.result.fault): _anchor(i) for i, cell in enumerate(report.cells)
    }
    gate_colour = _COLOURS[PASS] if report.ok else _VIOLATION
    shard = f" · shard {report.shard[0]}/{report.shard[1]}" if report.shard else ""
    sections = []
    for fault in report.faults:
        cards = [
            _card(cell, anchors[(strategy, fault)])
            for strategy in report.strategies
            if (cell := report.cell(strategy, fault)) is not None
        ]
        if cards:
            sections.append(f'<h3>{escape(fault)}</h3><div class="cards">{"".join(cards)}</div>')
    return (
        '<!doctype html><html lang="en"><meta charset="utf-8"><title>mysql-chaos matrix</title>'
        f"<style>{_STYLE}{TIMELINE_STYLE}</style><h1>mysql-chaos matrix</h1>"
        f'<div class="gate" style="background:{gate_colour}">{escape(report.gate.summary())}'
        f"</div> {len(report.strategies)} strategies x {len(report.faults)} faults, "
        f"{report.seconds:.1f} s wall{shard}"
        f"{_legend()}{_grid(report, anchors)}"
        "<h2>Timelines</h2>"
        f"{_timeline_legend()}{''.join(sections)}</html>\n"
    )


REPORT_FORMAT = ReportFormat("html", ".html", "Write an HTML grid.", html_grid)
