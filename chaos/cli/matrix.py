"""``mysql-chaos matrix`` and ``mysql-chaos check``: run cells, judge them, write reports."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from chaos.cli.outcome import finish as _finish
from chaos.cli.outcome import show_mismatches
from chaos.cli.outcome import show_skips_and_errors as _show_skips_and_errors
from chaos.cli.outcome import write_reports as _write_reports
from chaos.cli.paths import check_report_path, prepare_history_dir
from chaos.cli.progress import Progress
from chaos.faults import FAULTS
from chaos.runner.environment import Backend
from chaos.settings import ConnectionSettings

if TYPE_CHECKING:
    from chaos.reports.model import MatrixReport
    from chaos.strategy import StrategyFactory

# The strategies, runner and reports import SQLAlchemy, DBUtils and tenacity (~0.3 s): they are
# imported inside the commands, so `mysql-chaos repro` and `--help` do not pay for them.

# A cell mostly waits (a read timeout, keepalive probes, an outage's seconds): 6 per core keep
# the cores busy. Measured on 2 cores: the 228-cell matrix in 52-55 s with 12, 66-74 s with 8,
# verdicts identical over repeated full runs.
_DEFAULT_JOBS = max(4, 6 * (os.cpu_count() or 1))


_DOCKER_IMAGE = "mysql_chaos_docker_image"


def _backend(server_url: str | None, allow_global_changes: bool) -> Backend:
    docker_image = click.get_current_context().meta.get(_DOCKER_IMAGE)
    if docker_image and server_url:
        raise click.UsageError("--server docker:IMAGE and --server-url exclude each other")
    if server_url:
        ConnectionSettings.from_url(server_url)  # a malformed URL is exit 2 before any cell
    if docker_image:
        from chaos.servers.docker import engine_client

        # Fail once, clearly, rather than skip every cell for want of an engine.
        engine_client().close()
    return Backend(
        external_url=server_url,
        allow_global_changes=allow_global_changes,
        docker_image=docker_image,
    )


def _server_spec(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    """``--server`` kept out of the commands' signatures: _backend reads it from the context."""
    if value is None or value == "local":
        return
    kind, _, image = value.partition(":")
    if kind != "docker":
        raise click.BadParameter(f"{value!r}: expected local, docker or docker:IMAGE")
    ctx.meta[_DOCKER_IMAGE] = image or "local"


def _server_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options ``matrix`` and ``check`` share: where to run, and what the gate allows."""
    for option in reversed(
        [
            click.option(
                "--server-url",
                metavar="URL",
                help="Use this external server (mysql://user:pw@host:port/db) instead of a "
                "disposable one; faults that need process control or a namespace then skip.",
            ),
            click.option(
                "--server",
                metavar="docker:IMAGE",
                expose_value=False,
                callback=_server_spec,
                help="Disposable servers in containers: docker:local (MariaDB built here from "
                "Debian's packages) or docker:IMAGE (the server image built on that base). "
                "Default: local.",
            ),
            click.option(
                "--allow-global-changes",
                is_flag=True,
                help="Let faults change GLOBAL variables (wait_timeout) of the --server-url "
                "server; they are restored afterwards. Without it those faults skip there.",
            ),
            click.option(
                "--allow-skip",
                is_flag=True,
                help="Skipped cells do not fail the gate (exit 3); they are still listed.",
            ),
        ]
    ):
        command = option(command)
    return command


def _report_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The reports ``matrix`` and ``check`` both write, and the user strategy settings."""
    for option in reversed(
        [
            click.option(
                "--junit", "junit_file", type=click.Path(dir_okay=False), help="Write JUnit XML."
            ),
            click.option(
                "--json", "json_file", type=click.Path(dir_okay=False), help="Write JSON."
            ),
            click.option(
                "--markdown",
                "markdown_file",
                type=click.Path(dir_okay=False),
                help="Write a Markdown table.",
            ),
            click.option(
                "--html", "html_file", type=click.Path(dir_okay=False), help="Write an HTML grid."
            ),
            click.option(
                "--histories",
                type=click.Path(file_okay=False),
                help="Keep each cell's history (JSON lines) in this directory.",
            ),
            click.option(
                "--option",
                "options",
                multiple=True,
                metavar="KEY=VALUE",
                help="Repeatable: put KEY into StrategyConfig.extra of a module:factory "
                "strategy (the value is read as JSON when it is JSON: 16, true, 0.5).",
            ),
        ]
    ):
        command = option(command)
    return command


_Render = Callable[["MatrixReport"], str]


def _requested_reports(
    junit_file: str | None, json_file: str | None, markdown_file: str | None, html_file: str | None
) -> list[tuple[Path, _Render]]:
    """Each requested report's path, checked writable now, with its renderer."""
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


def _user_factory(spec: str, options: tuple[str, ...], backend: Backend) -> StrategyFactory:
    """A user's ``module:factory`` (the current directory importable, as for ``python -m``),
    with ``--option`` settings, built once on a throw-away server before any cell runs."""
    from chaos.runner.timing import CellTiming
    from chaos.runner.user_strategy import parse_option, probe_factory, with_options
    from chaos.strategy import load_factory

    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    factory = with_options(load_factory(spec), dict(parse_option(o) for o in options))
    probe_factory(factory, backend, CellTiming().strategy_config(ConnectionSettings()))
    return factory


@click.command()
@click.option(
    "--strategy",
    "strategies",
    multiple=True,
    metavar="NAME",
    help="Repeatable: a registered name, or module:factory for your own (held to every "
    "invariant unless an expectation is recorded for it).",
)
@click.option("--fault", "faults", multiple=True, metavar="NAME", help="Repeatable.")
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    default=_DEFAULT_JOBS,
    show_default=True,
    help="Cells run in parallel, each with its own server (and proxy).",
)
@_report_options
@click.option(
    "--shard",
    metavar="K/N",
    help="Run only shard K of N (1/2, 2/2, ...): the split the pytest plugin uses; "
    "merge the shards' --json reports with `mysql-chaos report merge`.",
)
@click.option(
    "--record-expected",
    is_flag=True,
    help="Write the measured verdicts into the expectations file (keeps the reasons).",
)
@_server_options
def matrix(
    strategies: tuple[str, ...],
    faults: tuple[str, ...],
    jobs: int,
    junit_file: str | None,
    json_file: str | None,
    markdown_file: str | None,
    html_file: str | None,
    histories: str | None,
    options: tuple[str, ...],
    shard: str | None,
    record_expected: bool,
    server_url: str | None,
    allow_global_changes: bool,
    allow_skip: bool,
) -> None:
    """Run the strategy x fault matrix; exit 0 iff every cell ran and met its expected verdict.

    Exit codes: 0 ok, 1 a verdict differs, 2 bad input, 3 a cell skipped (see --allow-skip),
    4 a cell errored, 130 interrupted.
    """
    from chaos.reports.model import MatrixReport
    from chaos.reports.renderers import text_report
    from chaos.runner.expectations import (
        DEFAULT_FILE,
        HELD_TO_EVERY_INVARIANT,
        Expectation,
        dump_expectations,
        load_expectations,
    )
    from chaos.runner.gate import fails_expectation
    from chaos.runner.matrix import run_matrix
    from chaos.runner.shard import parse_shard, select_shard
    from chaos.strategy import strategies as registered

    specs = [name for name in strategies if ":" in name]
    if options and not specs:
        raise click.UsageError("--option applies to module:factory strategies; none was given")
    if record_expected and specs:
        raise click.UsageError("--record-expected records the bundled strategies only")
    shard_of = parse_shard(shard) if shard else None
    names = [name for name in strategies if ":" not in name]
    strategy_names = registered().select(names) if names or not specs else []
    fault_names = FAULTS.select(list(faults))
    backend = _backend(server_url, allow_global_changes)
    reports = _requested_reports(junit_file, json_file, markdown_file, html_file)
    if record_expected:
        check_report_path("expectations file", str(DEFAULT_FILE))
    history_dir = prepare_history_dir("--histories", histories) if histories else None
    cells = [(name, registered().get(name)) for name in strategy_names]
    cells += [(spec, _user_factory(spec, options, backend)) for spec in specs]
    strategy_names += specs
    expectations = load_expectations()
    for spec in specs:
        for fault in fault_names:
            expectations.setdefault((spec, fault), HELD_TO_EVERY_INVARIANT)
    total = len(strategy_names) * len(fault_names)
    if shard_of is not None:
        total = len(select_shard(range(total), *shard_of))
    click.echo(
        f"{len(strategy_names)} strategies x {len(fault_names)} faults, {jobs} jobs"
        + (f"; shard {shard}: {total} cells" if shard_of else "")
    )
    progress = Progress(total, fails=lambda result: fails_expectation(result, expectations))
    try:
        run = run_matrix(
            cells,
            [FAULTS.get(name) for name in fault_names],
            backend=backend,
            jobs=jobs,
            history_dir=history_dir,
            on_result=progress.finished,
            on_start=progress.started,
            shard=shard_of,
        )
    finally:
        progress.close()
    report = MatrixReport.build(
        run.results,
        expectations,
        strategy_names,
        fault_names,
        run.seconds,
        allow_skip=allow_skip,
        shard=shard_of,
    )
    click.echo("\n" + text_report(report) + "\n")
    _write_reports(report, reports)
    click.echo(
        f"wall time {run.seconds:.1f} s; CPU {run.cpu_seconds:.1f} s, "
        f"{run.cpu_seconds_per_cell:.2f} s per cell (this process and the servers and proxy "
        "it started); slowest cells:"
    )
    for cell in report.slowest():
        click.echo(f"  {cell.result.seconds:5.1f}s  {cell.result.strategy} x {cell.result.fault}")
    if record_expected:
        for cell in report.cells:
            key = (cell.result.strategy, cell.result.fault)
            if cell.result.skipped is None and cell.result.error is None:
                why = expectations[key].why if key in expectations else ""
                expectations[key] = Expectation(cell.result.violations, why)
        DEFAULT_FILE.write_text(dump_expectations(expectations))
        click.echo(f"recorded {len(report.cells)} verdicts in {DEFAULT_FILE}")
        return
    show_mismatches(report)
    _show_skips_and_errors([cell.result for cell in report.cells])
    _finish(report.gate, "every cell meets its expected verdict")


@click.command()
@click.argument("factory_spec", metavar="MODULE:FACTORY")
@click.option("--fault", "faults", multiple=True, metavar="NAME", help="Repeatable; default all.")
@click.option("--jobs", type=click.IntRange(1, 64), default=_DEFAULT_JOBS, show_default=True)
@_report_options
@_server_options
def check(
    factory_spec: str,
    faults: tuple[str, ...],
    jobs: int,
    junit_file: str | None,
    json_file: str | None,
    markdown_file: str | None,
    html_file: str | None,
    histories: str | None,
    options: tuple[str, ...],
    server_url: str | None,
    allow_global_changes: bool,
    allow_skip: bool,
) -> None:
    """CI gate for your own strategy: exit 0 iff every fault ran and no invariant was violated.

    Exit codes: 0 ok, 1 a violation, 2 bad input, 3 a fault skipped (see --allow-skip),
    4 a cell errored, 130 interrupted.
    """
    from chaos.reports.model import MatrixReport
    from chaos.runner.expectations import HELD_TO_EVERY_INVARIANT
    from chaos.runner.gate import judge_check
    from chaos.runner.matrix import run_matrix
    from chaos.sweep import owned_prefix

    fault_names = FAULTS.select(list(faults))
    backend = _backend(server_url, allow_global_changes)
    reports = _requested_reports(junit_file, json_file, markdown_file, html_file)
    history_dir = prepare_history_dir("--histories", histories) if histories else None
    factory = _user_factory(factory_spec, options, backend)
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
    results = sorted(run.results, key=lambda r: fault_names.index(r.fault))
    for result in results:
        for violation in result.check.violations if result.check else ():
            ids = ", ".join(violation.op_ids[:10])
            click.echo(f"{result.fault}: {violation.kind.short} [{ids}] {violation.detail}")
    _show_skips_and_errors(results)
    click.echo(f"{len(run.results)} faults in {run.seconds:.1f} s")
    expectations = {(factory_spec, fault): HELD_TO_EVERY_INVARIANT for fault in fault_names}
    report = MatrixReport.build(
        run.results, expectations, [factory_spec], fault_names, run.seconds, allow_skip=allow_skip
    )
    _write_reports(report, reports)
    _finish(
        judge_check(results, allow_skip=allow_skip),
        f"{factory_spec}: every invariant held under every fault",
    )
