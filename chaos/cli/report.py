"""``mysql-chaos report merge``: one grid and one verdict from the JSON reports of shards."""

from __future__ import annotations

import click

from chaos.cli.outcome import (
    finish,
    requested_reports,
    show_mismatches,
    show_skips_and_errors,
    write_reports,
)


@click.group()
def report() -> None:
    """Work with JSON reports written by ``matrix --json``."""


@report.command()
@click.argument("files", nargs=-1, required=True, metavar="A.json B.json ...")
@click.option("--json", "json_file", type=click.Path(dir_okay=False), help="Write JSON.")
@click.option("--junit", "junit_file", type=click.Path(dir_okay=False), help="Write JUnit XML.")
@click.option(
    "--markdown", "markdown_file", type=click.Path(dir_okay=False), help="Write a Markdown table."
)
@click.option("--html", "html_file", type=click.Path(dir_okay=False), help="Write an HTML grid.")
@click.option(
    "--allow-skip",
    is_flag=True,
    help="Skipped cells do not fail the gate (exit 3); they are still listed.",
)
def merge(
    files: tuple[str, ...],
    json_file: str | None,
    junit_file: str | None,
    markdown_file: str | None,
    html_file: str | None,
    allow_skip: bool,
) -> None:
    """Merge the JSON reports of a matrix's shards and judge every cell as one run.

    Exit codes as for ``matrix``: 0 every cell met its expectation, 1 a verdict differs,
    2 bad input (a malformed file, a cell in two reports, a shard missing), 3 a cell skipped
    (see --allow-skip), 4 a cell errored.
    """
    from chaos.reports.json_io import load_report
    from chaos.reports.merge import merge_reports
    from chaos.reports.renderers import text_report

    targets = requested_reports(junit_file, json_file, markdown_file, html_file)
    merged = merge_reports([(name, load_report(name)) for name in files], allow_skip=allow_skip)
    click.echo(f"{len(files)} report(s), {len(merged.cells)} cells\n")
    click.echo(text_report(merged) + "\n")
    write_reports(merged, targets)
    show_mismatches(merged)
    show_skips_and_errors(cell.result for cell in merged.cells)
    finish(merged.gate, "every cell meets its expected verdict")
