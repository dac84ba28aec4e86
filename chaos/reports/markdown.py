"""The Markdown report: the verdict grid as a table, its legend, and what needs looking at.

Each cell shows its verdict's words and the times to recover; below the table, every skipped,
errored or mismatched cell is listed with its reason.
"""

from __future__ import annotations

from chaos.reports.format import ReportFormat
from chaos.reports.legend import legend_markdown
from chaos.reports.model import MatrixReport
from chaos.reports.terminal import short_verdict


def _title(report: MatrixReport) -> str:
    shard = f", shard {report.shard[0]}/{report.shard[1]}" if report.shard else ""
    return f"{len(report.strategies)} strategies x {len(report.faults)} faults{shard}"


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


REPORT_FORMAT = ReportFormat("markdown", ".md", "Write a Markdown table.", markdown)
