"""How a run's end is printed, the same for ``matrix``, ``check`` and ``report merge``.

The gate decides (:mod:`chaos.runner.gate`); these only print its decision and exit with it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from chaos.errors import UsageError

if TYPE_CHECKING:
    from chaos.reports.model import MatrixReport
    from chaos.runner.cell import CellResult
    from chaos.runner.gate import GateVerdict

Renderer = Callable[["MatrixReport"], str]


def write_reports(report: MatrixReport, targets: Sequence[tuple[Path, Renderer]]) -> None:
    for path, render in targets:
        try:
            path.write_text(render(report))
        except OSError as e:
            raise UsageError(f"cannot write {path}: {e.strerror or e}") from e
        click.echo(f"wrote {path}")


def show_mismatches(report: MatrixReport) -> None:
    from chaos.runner.vocabulary import verdict_words

    for cell in report.mismatches:
        expected = verdict_words(cell.expected.violations) if cell.expected else "(none recorded)"
        click.secho(
            f"MISMATCH {cell.result.strategy} x {cell.result.fault}: measured "
            f"{cell.result.verdict}, expected {expected}",
            fg="red",
        )


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
