"""Render a :class:`MatrixReport` as text, Markdown, JSON, JUnit XML or an HTML grid."""

from __future__ import annotations

import html
import json
from xml.etree import ElementTree

from chaos.reports.model import JudgedCell, MatrixReport

_SHORT = {
    "pass": "ok",
    "skipped": "skip",
    "error": "ERROR",
    "not-recovered": "norec",
    "partial": "partial",
    "duplicate": "dup",
    "lost-ack": "lost",
    "false-failure": "false",
    "hang": "hang",
    "still-failing": "stillf",
    "db-check": "dbcheck",
}


def short_verdict(cell: JudgedCell | None) -> str:
    if cell is None:
        return ""
    verdict = cell.result.verdict
    text = "+".join(_SHORT.get(part, part) for part in verdict.split(","))
    # "!" marks a measured verdict that differs; a skip or an error measured nothing.
    return f"{text}!" if cell.status == "mismatch" else text


def text_table(report: MatrixReport) -> str:
    width = max(len(s) for s in report.strategies) + 1
    columns = [max(7, len(f)) for f in report.faults]
    header = " " * width + " ".join(f.ljust(w) for f, w in zip(report.faults, columns, strict=True))
    rows = [header]
    for strategy in report.strategies:
        cells = [
            short_verdict(report.cell(strategy, fault)).ljust(w)
            for fault, w in zip(report.faults, columns, strict=True)
        ]
        rows.append(strategy.ljust(width) + " ".join(cells))
    return "\n".join(rows)


def markdown(report: MatrixReport) -> str:
    lines = [
        "| strategy | " + " | ".join(report.faults) + " |",
        "|---|" + "---|" * len(report.faults),
    ]
    for strategy in report.strategies:
        cells = [short_verdict(report.cell(strategy, f)) for f in report.faults]
        lines.append(f"| {strategy} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(
        "ok = every invariant held; norec = never recovered after heal; partial = half-applied "
        "transaction; dup = applied twice; lost = acknowledged but not applied; false = "
        "reported failed but applied; hang = an operation outlived the deadline; "
        "stillf = (app mode) requests still failing after the recovery deadline; "
        "skip = not run (need unmet); ERROR = the cell could not run to a verdict; "
        "! = differs from the expected verdict."
    )
    problems = [c for c in report.cells if c.status in ("skipped", "error")]
    if problems:
        lines.append("")
        for cell in problems:
            r = cell.result
            lines.append(f"- {r.strategy} x {r.fault}: {r.verdict}: {r.skipped or r.error}")
    return "\n".join(lines) + "\n"


def as_json(report: MatrixReport) -> str:
    cells = []
    for cell in report.cells:
        r = cell.result
        check = r.check
        cells.append(
            {
                "strategy": r.strategy,
                "fault": r.fault,
                "verdict": r.verdict,
                "violations": [
                    {"kind": v.kind, "op_ids": list(v.op_ids), "detail": v.detail}
                    for v in (check.violations if check else ())
                ],
                "expected": list(cell.expected.violations) if cell.expected else None,
                "meets_expectation": cell.meets_expectation,
                "recovery_seconds": check.recovery_seconds if check else None,
                "failed_ops": check.failed_ops if check else None,
                "unknown_ops": check.unknown_ops if check else None,
                "ok_ops": check.ok_ops if check else None,
                "seconds": round(r.seconds, 3),
                "status": cell.status,
                "skipped": r.skipped,
                "error": r.error,
                "history_file": r.history_file,
                "notes": list(r.notes),
            }
        )
    gate = report.gate
    return json.dumps(
        {
            "ok": report.ok,
            "exit_code": int(gate.exit_code),
            "summary": gate.summary(),
            "skips_allowed": gate.allow_skip,
            "seconds": round(report.seconds, 3),
            "cells": cells,
        },
        indent=2,
    )


def junit(report: MatrixReport) -> str:
    suite = ElementTree.Element(
        "testsuite",
        name="mysql-chaos matrix",
        tests=str(len(report.cells)),
        failures=str(len(report.mismatches)),
        errors=str(len(report.with_status("error"))),
        skipped=str(len(report.with_status("skipped"))),
        time=f"{report.seconds:.3f}",
    )
    for cell in report.cells:
        r = cell.result
        case = ElementTree.SubElement(
            suite, "testcase", classname=r.strategy, name=r.fault, time=f"{r.seconds:.3f}"
        )
        if r.skipped:
            ElementTree.SubElement(case, "skipped", message=r.skipped)
        elif r.error:
            ElementTree.SubElement(case, "error", message=r.error)
        elif not cell.meets_expectation:
            expected = ",".join(cell.expected.violations) if cell.expected else "(none recorded)"
            failure = ElementTree.SubElement(
                case, "failure", message=f"measured {r.verdict or 'pass'}, expected {expected}"
            )
            failure.text = "\n".join(
                f"{v.kind}: {', '.join(v.op_ids)} {v.detail}"
                for v in (r.check.violations if r.check else ())
            )
    return ElementTree.tostring(suite, encoding="unicode", xml_declaration=True)


_COLOURS = {"pass": "#2e7d32", "skipped": "#9e9e9e", "error": "#000000"}


def html_grid(report: MatrixReport) -> str:
    def cell_html(cell: JudgedCell | None) -> str:
        if cell is None:
            return "<td></td>"
        verdict = cell.result.verdict
        colour = _COLOURS.get(verdict, "#c62828")
        border = "outline:3px solid #ff9800;" if cell.status == "mismatch" else ""
        title = html.escape(
            "; ".join(
                f"{v.kind}: {', '.join(v.op_ids[:5])}"
                for v in (cell.result.check.violations if cell.result.check else ())
            )
            or (cell.result.skipped or cell.result.error or "every invariant held")
        )
        return (
            f'<td style="background:{colour};color:white;{border}" title="{title}">'
            f"{html.escape(short_verdict(cell))}<br><small>{cell.recovery}</small></td>"
        )

    head = "".join(f"<th>{html.escape(f)}</th>" for f in report.faults)
    rows = "".join(
        f"<tr><th>{html.escape(s)}</th>"
        + "".join(cell_html(report.cell(s, f)) for f in report.faults)
        + "</tr>"
        for s in report.strategies
    )
    status = html.escape(report.gate.summary())
    return (
        "<!doctype html><meta charset=utf-8><title>mysql-chaos matrix</title>"
        "<style>body{font-family:sans-serif}td,th{padding:4px 8px;text-align:center;"
        "font-size:13px}table{border-collapse:collapse}</style>"
        f"<h1>mysql-chaos matrix</h1><p>{status}; {report.seconds:.1f} s wall. Green: every "
        "invariant held. Red: violations (hover for the operation ids). Small: recovery time."
        f"</p><table><tr><th></th>{head}</tr>{rows}</table>"
    )
