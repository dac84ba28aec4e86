"""``mysql-chaos report merge``: one grid and one verdict from the JSON reports of shards."""

from __future__ import annotations

import click

from chaos.cli.outcome import finish, show_mismatches, show_skips_and_errors
from chaos.cli.report_files import (
    ReportingCommand,
    report_file_options,
    requested_reports,
    write_reports,
)


@click.group()
def report() -> None:
    """Work with JSON reports written by ``matrix --json``."""


@report.command(cls=ReportingCommand)
@click.argument("files", nargs=-1, required=True, metavar="A.json B.json ...")
@report_file_options
@click.option(
    "--allow-skip",
    is_flag=True,
    help="Skipped cells do not fail the gate (exit 3); they are still listed.",
)
def merge(
    files: tuple[str, ...],
    allow_skip: bool,
    reports: dict[str, str],
) -> None:
    """Merge the JSON reports of a matrix's shards and judge every cell as one run.

    Exit codes as for ``matrix``: 0 every cell met its expectation, 1 a verdict differs,
    2 bad input (a malformed file, a cell in two reports, a shard missing), 3 a cell skipped
    (see --allow-skip), 4 a cell errored.
    """
    from chaos.reports.format import report_formats
    from chaos.reports.merge import merge_reports
    from chaos.reports.terminal import text_report

    targets = requested_reports(reports)
    read = report_formats().get("json").read
    assert read is not None  # the JSON format reads what it writes
    merged = merge_reports([(name, read(name)) for name in files], allow_skip=allow_skip)
    click.echo(f"{len(files)} report(s), {len(merged.cells)} cells\n")
    click.echo(text_report(merged) + "\n")
    write_reports(merged, targets)
    show_mismatches(merged)
    show_skips_and_errors(cell.result for cell in merged.cells)
    finish(merged.gate, "every cell meets its expected verdict")
