"""``mysql-chaos check``: the CI gate for a user's own strategy, held to every invariant (or to
the verdicts the user recorded for it with ``--expected FILE``)."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

import click

from chaos.cli.outcome import finish, show_skips_and_errors, show_violations
from chaos.cli.progress import Progress
from chaos.cli.report_files import (
    ReportingCommand,
    report_file_options,
    requested_reports,
    write_reports,
)
from chaos.cli.run_options import (
    DEFAULT_JOBS,
    backend_for,
    elle_option,
    expected_option,
    export_elle,
    history_options,
    read_expected,
    record_target,
    server_options,
    show_recorded,
    workload_option,
)
from chaos.faults import FAULTS
from chaos.faults.base import select_faults
from chaos.reports.paths import prepare_history_dir


@click.command(cls=ReportingCommand)
@click.argument("factory_spec", metavar="MODULE:FACTORY|NAME")
@click.option("--fault", "faults", multiple=True, metavar="NAME", help="Repeatable; default all.")
@click.option("--jobs", type=click.IntRange(1, 64), default=DEFAULT_JOBS, show_default=True)
@report_file_options
@history_options
@elle_option
@workload_option
@expected_option
@click.option(
    "--record-expected",
    "record_file",
    metavar="FILE",
    help="Write the measured verdicts into FILE in your repository (for --expected; its whys "
    "are kept) and exit 0.",
)
@server_options
def check(
    factory_spec: str,
    faults: tuple[str, ...],
    jobs: int,
    histories: str | None,
    options: tuple[str, ...],
    elle_dir: str | None,
    workload: str,
    expected_file: str | None,
    record_file: str | None,
    server_url: str | None,
    allow_global_changes: bool,
    allow_skip: bool,
    reports: dict[str, str],
) -> None:
    """CI gate for your own strategy: exit 0 iff every fault ran and no invariant was violated
    (or, with --expected, every cell met the verdict you recorded for it).

    MODULE:FACTORY is imported from the current directory too; NAME is a strategy another
    installed package registers. --workload list-append runs Elle's
    list-append transactions instead of the bank and judges them with the list-append checks.
    Exit codes: 0 ok, 1 a violation, 2 bad input, 3 a fault
    skipped (see --allow-skip), 4 a cell errored, 130 interrupted.
    """
    from chaos.owner import owned_prefix
    from chaos.reports.model import MatrixReport
    from chaos.runner.matrix import run_matrix
    from chaos.runner.matrix_plan import measured_verdicts
    from chaos.runner.user_strategy import load_user_factory
    from chaos.strategy.expectations import IN_PROCESS, expectations_for
    from chaos.strategy.own_expectations import record_own_verdicts
    from chaos.verdicts.gate import fails_expectation

    fault_names = select_faults(list(faults))
    backend = backend_for(server_url, allow_global_changes)
    targets = requested_reports(reports)
    own = read_expected(expected_file)
    record_path = record_target(record_file) if record_file is not None else None
    history_dir = prepare_history_dir("--histories", histories) if histories else None
    elle_path = prepare_history_dir("--elle", elle_dir) if elle_dir else None
    if workload != "bank" and (expected_file or record_file):
        raise click.UsageError("--expected and --record-expected judge the bank workload only")
    factory = load_user_factory(factory_spec, options, backend)
    expectations = expectations_for([factory_spec], fault_names, own=own)
    with contextlib.ExitStack() as stack:
        if history_dir is None:  # the histories are kept only while the run needs them
            temporary = tempfile.TemporaryDirectory(prefix=owned_prefix("check"))
            history_dir = Path(stack.enter_context(temporary))
        progress = Progress(
            len(fault_names), fails=lambda result: fails_expectation(result, expectations)
        )
        stack.callback(progress.close)
        run = run_matrix(
            [(factory_spec, factory)],
            [FAULTS.get(name) for name in fault_names],
            backend=backend,
            jobs=jobs,
            history_dir=history_dir,
            on_result=progress.finished,
            on_start=progress.started,
            workload=workload,
        )
        if elle_path is not None:  # while the histories still exist
            export_elle(run.results, elle_path)
    results = show_violations(run.results, fault_names)
    show_skips_and_errors(results)
    click.echo(f"{len(run.results)} faults in {run.seconds:.1f} s")
    report = MatrixReport.build(
        run.results, expectations, [factory_spec], fault_names, run.seconds, allow_skip=allow_skip
    )
    write_reports(report, targets)
    if record_path is not None:
        show_recorded(*record_own_verdicts(measured_verdicts(report), record_path, IN_PROCESS))
        return
    recorded = [c for c in report.cells if c.expected and not c.expected.every_invariant]
    if recorded:
        from chaos.cli.outcome import show_mismatches

        show_mismatches(report)
    finish(
        report.gate,  # the one gate: the reports' exit_code is the exit code
        f"{factory_spec}: every invariant held under every fault"
        if not recorded
        else f"{factory_spec}: every fault met its expected verdict ({len(recorded)} recorded)",
    )
