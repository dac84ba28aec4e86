"""How a run's end is printed, the same for ``matrix``, ``check`` and ``report merge``.

The gate decides (:mod:`chaos.verdicts.gate`); these only print its decision and exit with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from chaos.reports.model import MatrixReport
    from chaos.verdicts.cell_result import CellResult
    from chaos.verdicts.gate import GateVerdict


def show_mismatches(report: MatrixReport) -> None:
    for cell in report.mismatches:
        click.secho(
            f"MISMATCH {cell.result.strategy} x {cell.result.fault}: measured "
            f"{cell.result.verdict}, expected {cell.expected_label}",
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
