"""The terminal's report: the verdict grid as plain text, and its legend.

Every report speaks one vocabulary (:mod:`chaos.verdicts.vocabulary`) and carries its legend;
the file formats are registered in :mod:`chaos.reports.format`.
"""

from __future__ import annotations

from chaos.reports.legend import legend_lines
from chaos.reports.model import JudgedCell, MatrixReport

__all__ = ["short_verdict", "text_report", "text_table"]


def short_verdict(cell: JudgedCell | None) -> str:
    """The cell's verdict words, with ``!`` when they differ from the expected ones."""
    return "" if cell is None else cell.label


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
