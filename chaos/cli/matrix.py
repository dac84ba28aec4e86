"""``mysql-chaos matrix``: every strategy against every fault, judged against expectations."""

from __future__ import annotations

import contextlib
import tempfile
from dataclasses import replace
from pathlib import Path

import click

from chaos.cli.outcome import finish, show_mismatches, show_skips_and_errors
from chaos.cli.progress import Progress
from chaos.cli.report_files import (
    ReportingCommand,
    report_file_options,
    requested_reports,
    write_reports,
)
from chaos.cli.run_options import (
    DEFAULT_APP_JOBS,
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
)
from chaos.errors import UsageError
from chaos.faults.base import select_faults
from chaos.reports.paths import check_report_path, prepare_history_dir

#: ``--record-expected`` without a file: the bundled strategies, into the bundled file.
_BUNDLED = "\0bundled"

# The strategies, runner and reports import SQLAlchemy, DBUtils and tenacity (~0.3 s): they are
# imported inside the commands, so `mysql-chaos repro` and `--help` do not pay for them.


@click.command(cls=ReportingCommand)
@click.option(
    "--strategy",
    "strategies",
    multiple=True,
    metavar="NAME",
    help="Repeatable: a registered name, or module:factory for your own (yours, and those "
    "another package registers, are held to every invariant unless --expected records them).",
)
@click.option("--fault", "faults", multiple=True, metavar="NAME", help="Repeatable.")
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    default=None,
    help="Cells run in parallel, each with its own server (and proxy, and app server). "
    f"Default: {DEFAULT_JOBS}; with --app {DEFAULT_APP_JOBS}.",
)
@report_file_options
@history_options
@elle_option
@click.option(
    "--app",
    "app_mode",
    is_flag=True,
    help="App mode: each strategy serves the seed's Flask app under its own WSGI server "
    "(uWSGI, 1 process, 16 threads) and meets the fault under concurrent HTTP load; expected "
    "verdicts come from their own file. Default faults: a chosen set (see --all-faults).",
)
@click.option(
    "--all-faults", is_flag=True, help="With --app: the whole catalogue instead of the default set."
)
@click.option(
    "--app-server",
    "--wsgi-server",
    "wsgi_server",
    type=click.Choice(["auto", "uwsgi", "gunicorn", "uvicorn"]),
    default="auto",
    show_default=True,
    help="With --app: the app server (auto: uWSGI when installed, else gunicorn; uvicorn: the "
    "seed's API as an ASGI app, which serves async strategies on its event loop).",
)
@click.option(
    "--shard",
    metavar="K/N",
    help="Run only shard K of N (1/2, 2/2, ...): the split the pytest plugin uses; "
    "merge the shards' --json reports with `mysql-chaos report merge`.",
)
@click.option(
    "--record-expected",
    is_flag=False,
    flag_value=_BUNDLED,
    default=None,
    metavar="[FILE]",
    help="Write the measured verdicts and exit 0. With FILE: your strategies' (module:factory, "
    "or another package's) into FILE in your repository, for --expected; its whys are kept. "
    "Alone: the bundled strategies' into the bundled file (keeps the reasons).",
)
@expected_option
@server_options
def matrix(
    strategies: tuple[str, ...],
    faults: tuple[str, ...],
    jobs: int | None,
    histories: str | None,
    options: tuple[str, ...],
    elle_dir: str | None,
    app_mode: bool,
    all_faults: bool,
    wsgi_server: str,
    shard: str | None,
    record_expected: str | None,
    expected_file: str | None,
    server_url: str | None,
    allow_global_changes: bool,
    allow_skip: bool,
    reports: dict[str, str],
) -> None:
    """Run the strategy x fault matrix; exit 0 iff every cell ran and met its expected verdict.

    Exit codes: 0 ok, 1 a verdict differs, 2 bad input, 3 a cell skipped (see --allow-skip),
    4 a cell errored, 130 interrupted.
    """
    from chaos.owner import owned_prefix
    from chaos.reports.terminal import text_report
    from chaos.runner.matrix_plan import (
        MatrixRequest,
        plan_matrix,
        record_measured,
        record_own_measured,
        run_plan,
        select_strategies,
    )
    from chaos.runner.shard import parse_shard
    from chaos.strategy.expectations import recording_file
    from chaos.strategy.own_expectations import own_strategies

    specs = [name for name in strategies if ":" in name]
    if elle_dir and app_mode:
        raise click.UsageError("--elle exports in-process cells' histories; app mode's are HTTP")
    if all_faults and not app_mode:
        raise click.UsageError("--all-faults goes with --app")
    if app_mode and options:
        raise click.UsageError("--option is for in-process cells; an app reads its environment")
    if options and not specs:
        raise click.UsageError("--option applies to module:factory strategies; none was given")
    if record_expected == _BUNDLED and specs:
        raise UsageError(
            "--record-expected without a FILE records the bundled strategies only; "
            "--record-expected FILE records yours"
        )
    shard_of = parse_shard(shard) if shard else None
    names = select_strategies(strategies)  # an unknown name fails before anything else
    own_file = None
    if record_expected not in (None, _BUNDLED):
        if not own_strategies([*names, *specs]):
            raise UsageError(
                "--record-expected FILE records your own strategies (module:factory, or "
                "registered by another package); none is in this run"
            )
        own_file = record_target(record_expected)
    if app_mode:
        from chaos.cli.app_mode import app_fault_names

        fault_names = app_fault_names(faults, all_faults)
    else:
        fault_names = select_faults(list(faults))
    request = MatrixRequest(
        strategies,
        fault_names,
        backend_for(server_url, allow_global_changes),
        jobs or (DEFAULT_APP_JOBS if app_mode else DEFAULT_JOBS),
        app_mode=app_mode,
        options=options,
        wsgi_server=wsgi_server,
        shard=shard_of,
        allow_skip=allow_skip,
        own=read_expected(expected_file),
    )
    targets = requested_reports(reports)
    elle_path = prepare_history_dir("--elle", elle_dir) if elle_dir else None
    scratch = contextlib.ExitStack()
    if histories:
        request = replace(request, history_dir=prepare_history_dir("--histories", histories))
    elif elle_path is not None:  # the histories are kept only while the export needs them
        temporary = tempfile.TemporaryDirectory(prefix=owned_prefix("matrix"))
        request = replace(request, history_dir=Path(scratch.enter_context(temporary)))
    plan = plan_matrix(request)
    if record_expected == _BUNDLED:
        check_report_path("expectations file", str(recording_file(request.mode, plan.flavour)))
    click.echo(
        ("app mode: " if app_mode else "")
        + f"{len(plan.strategy_names)} strategies x {len(fault_names)} faults, {request.jobs} jobs"
        + f"; {request.backend.describe()}, held to the {plan.flavour} verdicts"
        + (f"; shard {shard}: {plan.total} cells" if shard_of else "")
    )
    progress = Progress(plan.total, fails=plan.fails)
    with scratch:
        try:
            outcome = run_plan(plan, on_result=progress.finished, on_start=progress.started)
        finally:
            progress.close()
        if elle_path is not None:
            export_elle(outcome.run.results, elle_path)
    run, report = outcome.run, outcome.report
    click.echo("\n" + text_report(report) + "\n")
    write_reports(report, targets)
    click.echo(
        f"wall time {run.seconds:.1f} s; CPU {run.cpu_seconds:.1f} s, "
        f"{run.cpu_seconds_per_cell:.2f} s per cell (this process and the servers and proxy "
        "it started); slowest cells:"
    )
    for cell in report.slowest():
        click.echo(f"  {cell.result.seconds:5.1f}s  {cell.result.strategy} x {cell.result.fault}")
    if own_file is not None:
        show_recorded(*record_own_measured(report, own_file, request.mode))
        return
    if record_expected == _BUNDLED:
        expectations_file = record_measured(report, request.mode, plan.flavour)
        click.echo(f"recorded {len(report.cells)} verdicts in {expectations_file}")
        return
    show_mismatches(report)
    show_skips_and_errors([cell.result for cell in report.cells])
    finish(report.gate, "every cell meets its expected verdict")
