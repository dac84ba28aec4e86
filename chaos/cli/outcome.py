"""How a run's end is printed, the same for ``matrix``, ``check`` and ``report merge``.

The gate decides (:mod:`chaos.verdicts.gate`); these only print its decision and exit with it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from chaos.cli.paths import check_report_path
from chaos.errors import UsageError

if TYPE_CHECKING:
    from chaos.reports.model import MatrixReport
    from chaos.verdicts.cell_result import CellResult
    from chaos.verdicts.gate import GateVerdict

Renderer = Callable[["MatrixReport"], str]


def requested_reports(
    junit_file: str | None, json_file: str | None, markdown_file: str | None, html_file: str | None
) -> list[tuple[Path, Renderer]]:
    """Each requested report's path, checked writable before any cell runs, with its renderer."""
    from chaos.reports.renderers import as_json, html_grid, junit, markdown

    return [
        (check_report_path(option, path), render)
        for option, path, render in (
            ("--junit", junit_file, junit),
            ("--json", json_file, as_json),
            ("--markdown", markdown_file, markdown),
            ("--html", html_file, html_grid),
        )
        if path
    ]


def write_reports(report: MatrixReport, targets: Sequence[tuple[Path, Renderer]]) -> None:
    for path, render in targets:
        try:
            path.write_text(render(report))
        except OSError as e:
            raise UsageError(f"cannot write {path}: {e.strerror or e}") from e
        click.echo(f"wrote {path}")


def show_mismatches(report: MatrixReport) -> None:
    from chaos.verdicts.vocabulary import verdict_words

    for cell in report.mismatches:
        expected = verdict_words(cell.expected.violations) if cell.expected else "(none recorded)"
        click.secho(
            f"MISMATCH {cell.result.strategy} x {cell.result.fault}: measured "
            f"{cell.result.verdict}, expected {expected}",
            fg="red",
        )


def show_violations(results: Iterable[CellResult], fault_names: Sequence[str]) -> list[CellResult]:
    """Each fault's violations with the operation ids that prove them; the results by fault."""
    ordered = sorted(results, key=lambda r: fault_names.index(r.fault))
    for result in ordered:
        for violation in result.check.violations if result.check else ():
            ids = ", ".join(violation.op_ids[:10])
            click.echo(f"{result.fault}: {violation.kind.short} [{ids}] {violation.detail}")
    return ordered


def show_skips_and_errors(results: Iterable[CellResult]) -> None:
    results = list(results)
    for result in results:
        if result.skipped:
            click.secho(
                f"SKIPPED {result.strategy} x {result.fault}: {result.skipped}", fg="yellow"
            )
    for result in results:
        if result.error:
            click.secho(f"ERROR {result.strategy} x {result.fault}: {result.error}", fg="red")


def finish(gate: GateVerdict, success: str) -> None:
    """Print the gate's last line and exit with its code."""
    if gate.ok:
        click.secho(success if not gate.skipped else gate.summary(), fg="green")
    else:
        click.secho(gate.summary(), fg="red")
    click.get_current_context().exit(int(gate.exit_code))
