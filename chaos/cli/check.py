"""``mysql-chaos check``: the CI gate for a user's own strategy, held to every invariant."""

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
    history_options,
    server_options,
)
from chaos.faults import FAULTS
from chaos.reports.paths import prepare_history_dir


@click.command(cls=ReportingCommand)
@click.argument("factory_spec", metavar="MODULE:FACTORY")
@click.option("--fault", "faults", multiple=True, metavar="NAME", help="Repeatable; default all.")
@click.option("--jobs", type=click.IntRange(1, 64), default=DEFAULT_JOBS, show_default=True)
@report_file_options
@history_options
@server_options
def check(
    factory_spec: str,
    faults: tuple[str, ...],
    jobs: int,
    histories: str | None,
    options: tuple[str, ...],
    server_url: str | None,
    allow_global_changes: bool,
    allow_skip: bool,
    reports: dict[str, str],
) -> None:
    """CI gate for your own strategy: exit 0 iff every fault ran and no invariant was violated.

    Exit codes: 0 ok, 1 a violation, 2 bad input, 3 a fault skipped (see --allow-skip),
    4 a cell errored, 130 interrupted.
    """
    from chaos.owner import owned_prefix
    from chaos.reports.model import MatrixReport
    from chaos.runner.matrix import run_matrix
    from chaos.runner.user_strategy import load_user_factory
    from chaos.verdicts.expectations import held_to_every_invariant

    fault_names = FAULTS.select(list(faults))
    backend = backend_for(server_url, allow_global_changes)
    targets = requested_reports(reports)
    history_dir = prepare_history_dir("--histories", histories) if histories else None
    factory = load_user_factory(factory_spec, options, backend)
    with contextlib.ExitStack() as stack:
        if history_dir is None:  # the histories are kept only while the run needs them
            temporary = tempfile.TemporaryDirectory(prefix=owned_prefix("check"))
            history_dir = Path(stack.enter_context(temporary))
        progress = Progress(len(fault_names), fails=lambda result: bool(result.violations))
        stack.callback(progress.close)
        run = run_matrix(
            [(factory_spec, factory)],
            [FAULTS.get(name) for name in fault_names],
            backend=backend,
            jobs=jobs,
            history_dir=history_dir,
            on_result=progress.finished,
            on_start=progress.started,
        )
    results = show_violations(run.results, fault_names)
    show_skips_and_errors(results)
    click.echo(f"{len(run.results)} faults in {run.seconds:.1f} s")
    expectations = held_to_every_invariant(factory_spec, fault_names)
    report = MatrixReport.build(
        run.results, expectations, [factory_spec], fault_names, run.seconds, allow_skip=allow_skip
    )
    write_reports(report, targets)
    finish(
        report.gate,  # the one gate: the reports' exit_code is the exit code
        f"{factory_spec}: every invariant held under every fault",
    )
