"""Render a :class:`MatrixReport` as text, Markdown, JSON, JUnit XML or an HTML page.

Every format speaks one vocabulary (:mod:`chaos.verdicts.vocabulary`) and carries its legend.
"""

from __future__ import annotations

from xml.etree import ElementTree

from chaos.reports.html_page import html_grid
from chaos.reports.json_io import dumps_report
from chaos.reports.legend import legend_lines, legend_markdown
from chaos.reports.model import JudgedCell, MatrixReport

__all__ = [
    "as_json",
    "html_grid",
    "junit",
    "markdown",
    "short_verdict",
    "text_report",
    "text_table",
]


def short_verdict(cell: JudgedCell | None) -> str:
    """The cell's verdict words, with ``!`` when they differ from the expected ones."""
    return "" if cell is None else cell.label


def _title(report: MatrixReport) -> str:
    shard = f", shard {report.shard[0]}/{report.shard[1]}" if report.shard else ""
    return f"{len(report.strategies)} strategies x {len(report.faults)} faults{shard}"


def text_table(report: MatrixReport) -> str:
    width = max((len(s) for s in report.strategies), default=0) + 1
    columns = [max(7, len(f)) for f in report.faults]
    header = " " * width + " ".join(f.ljust(w) for f, w in zip(report.faults, columns, strict=True))
    rows = [header]
    for strategy in report.strategies:
        cells = [
            short_verdict(report.cell(strategy, fault)).ljust(w)
            for fault, w in zip(report.faults, columns, strict=True)
        ]
        rows.append(strategy.ljust(width) + " ".join(cells))
    return "\n".join(row.rstrip() for row in rows)


def text_report(report: MatrixReport) -> str:
    """The table and its legend, for the terminal."""
    return "\n".join([text_table(report), "", *legend_lines()])


def markdown(report: MatrixReport) -> str:
    lines = [
        f"{_title(report)}: {report.gate.summary()}.",
        "",
        "| strategy | " + " | ".join(report.faults) + " |",
        "|---|" + "---|" * len(report.faults),
    ]
    for strategy in report.strategies:
        cells = []
        for fault in report.faults:
            cell = report.cell(strategy, fault)
            text = short_verdict(cell)
            if cell is not None and cell.result.check is not None:
                text += f" {cell.recovery}"
            cells.append(text)
        lines.append(f"| {strategy} | " + " | ".join(cells) + " |")
    lines += ["", legend_markdown()]
    problems = [c for c in report.cells if c.status in ("skipped", "error", "mismatch")]
    if problems:
        lines.append("")
        for cell in problems:
            r = cell.result
            why = r.skipped or r.error or f"expected {cell.expected_label}"
            lines.append(f"- {r.strategy} x {r.fault}: {short_verdict(cell)}: {why}")
    return "\n".join(lines) + "\n"


def as_json(report: MatrixReport) -> str:
    """The JSON report (see :mod:`chaos.reports.json_io`); it re-renders every other report."""
    return dumps_report(report)


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
        properties = ElementTree.SubElement(case, "properties")
        for name, value in (
            ("verdict", r.verdict),
            ("expected", cell.expected_label),
            ("status", cell.status),
            ("recovery", cell.recovery),
        ):
            ElementTree.SubElement(properties, "property", name=name, value=value)
        if r.skipped:
            ElementTree.SubElement(case, "skipped", message=r.skipped)
        elif r.error:
            ElementTree.SubElement(case, "error", message=r.error)
        elif not cell.meets_expectation:
            failure = ElementTree.SubElement(
                case, "failure", message=f"measured {r.verdict}, expected {cell.expected_label}"
            )
            failure.text = "\n".join(
                f"{v.kind.short} ({v.kind}): {', '.join(v.op_ids)} {v.detail}"
                for v in (r.check.violations if r.check else ())
            )
    return ElementTree.tostring(suite, encoding="unicode", xml_declaration=True)
