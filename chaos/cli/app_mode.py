"""The faults of an app run (``matrix --app``, ``check-app``) and ``mysql-chaos check-app``.

``check-app`` is its own command rather than ``matrix --app --wsgi``: the matrix compares
measured verdicts with recorded ones for the bundled strategies, while a user's app has no
recorded verdicts; its gate is ``check``'s, "no invariant violated under any fault", and
``--strategy`` or ``--record-expected`` would mean nothing for it.
"""

from __future__ import annotations

import os
import sys

import click

from chaos.cli.outcome import finish, show_skips_and_errors, show_violations
from chaos.cli.progress import Progress
from chaos.cli.report_files import (
    ReportingCommand,
    report_file_options,
    requested_reports,
    write_reports,
)
from chaos.errors import UsageError
from chaos.faults import FAULTS
from chaos.runner.environment import Backend


def app_fault_names(requested: tuple[str, ...], all_faults: bool) -> list[str]:
    """The faults of an app run: those named, else the catalogue or the default set."""
    from chaos.runner.app_matrix import app_mode_faults

    if requested and all_faults:
        raise click.UsageError("--fault and --all-faults exclude each other")
    return app_mode_faults(list(requested), all_faults)


def _importable_here() -> None:
    """A user's modules are found where the command runs, as ``python -m`` would find them."""
    here = os.getcwd()
    if here not in sys.path:
        sys.path.insert(0, here)


@click.command("check-app", cls=ReportingCommand)
@click.argument("wsgi_spec", metavar="MODULE:APP")
@click.option(
    "--url",
    "path",
    required=True,
    metavar="/PATH",
    help="A path the load GETs; it must answer 2xx when the database is healthy.",
)
@click.option(
    "--request",
    "requests",
    multiple=True,
    metavar="'METHOD /PATH'",
    help="A request the load sends too, in turn with GET --url (repeatable): the writes the "
    "faults that strike a transaction need. {op_id} in the path or body is the request's id.",
)
@click.option(
    "--body",
    "bodies",
    multiple=True,
    metavar="TEXT",
    help="The body of the --request: once (every write gets it) or once per --request.",
)
@click.option(
    "--content-type",
    "content_types",
    multiple=True,
    metavar="TYPE",
    help="The bodies' content type (default application/json): once, or once per --request.",
)
@click.option(
    "--load",
    "load_spec",
    metavar="MODULE:FUNC",
    help="Sends each request instead: called as FUNC(send, op_id), where "
    "send(method, path, body=None, headers=None) returns (status, text).",
)
@click.option(
    "--db-check",
    "db_check_spec",
    metavar="MODULE:FUNC",
    help="Called after each cell's heal and recovery with the connection settings "
    "(chaos.settings.ConnectionSettings); raising or returning False says the database is "
    "inconsistent.",
)
@click.option("--fault", "faults", multiple=True, metavar="NAME", help="Repeatable.")
@click.option("--all-faults", is_flag=True, help="The whole catalogue instead of the default set.")
@click.option("--jobs", type=click.IntRange(1, 64), default=None, help="Cells run in parallel.")
@report_file_options
@click.option(
    "--app-server",
    "--wsgi-server",
    "wsgi_server",
    type=click.Choice(["auto", "uwsgi", "gunicorn", "uvicorn"]),
    default="auto",
    show_default=True,
    help="auto: uWSGI (1 process, 16 threads) when installed, else gunicorn with 16 threads; "
    "an ASGI app: uvicorn.",
)
@click.option(
    "--allow-skip",
    is_flag=True,
    help="Skipped faults do not fail the gate (exit 3); they are still listed.",
)
def check_app(
    wsgi_spec: str,
    path: str,
    requests: tuple[str, ...],
    bodies: tuple[str, ...],
    content_types: tuple[str, ...],
    load_spec: str | None,
    db_check_spec: str | None,
    faults: tuple[str, ...],
    all_faults: bool,
    jobs: int | None,
    wsgi_server: str,
    allow_skip: bool,
    reports: dict[str, str],
) -> None:
    """Run your WSGI or ASGI app under the fault catalogue, judged from HTTP: exit 0 iff every
    fault struck it, it recovers after each, no request hangs, and (with --db-check) the database
    stays consistent. A fault that never struck the app (a load of GETs never meets the faults
    that strike writes: give --request or --load) fails the gate as unexercised.

    The app runs under a real server in this directory (an ASGI app under uvicorn) and gets its
    database from MYSQL_CHAOS_DSN (mysql://user:password@host:port/db), or MYSQL_CHAOS_HOST,
    _PORT, _USER, _PASSWORD and _DATABASE; see the README for the rest. Exit codes: 0 ok,
    1 a violation, 2 bad input, 3 a fault skipped (see --allow-skip), 4 a cell errored,
    130 interrupted.
    """
    from chaos.appmode.user_load import build_requests, check_load_function
    from chaos.appserver.app_server import choose_server
    from chaos.cli.run_options import DEFAULT_APP_JOBS
    from chaos.reports.model import MatrixReport
    from chaos.runner.app_matrix import run_app_matrix
    from chaos.runner.app_under_test import (
        AppUnderTest,
        check_path,
        check_wsgi_spec,
        load_db_check,
        preflight,
    )
    from chaos.verdicts.expectations import held_to_every_invariant

    check_path(path)
    choose_server(wsgi_server)  # no WSGI server installed: say what to install, not blame the app
    if load_spec and (requests or bodies or content_types):
        raise UsageError("--load sends every request itself: give it or --request")
    http_requests = build_requests(requests, bodies, content_types)
    _importable_here()
    check_wsgi_spec(wsgi_spec)
    load = check_load_function(load_spec) if load_spec else None
    db_check = load_db_check(db_check_spec) if db_check_spec else None
    fault_names = app_fault_names(faults, all_faults)
    targets = requested_reports(reports)
    app = AppUnderTest(
        name=wsgi_spec,
        module=wsgi_spec,
        bank=False,
        path=path,
        db_check=db_check,
        cwd=os.getcwd(),
        requests=http_requests,
        load=load,
    )
    click.echo(f"starting {wsgi_spec} once to see that it serves {path}")
    wsgi_server = preflight(app, wsgi_server)
    jobs = jobs or DEFAULT_APP_JOBS
    progress = Progress(len(fault_names), fails=lambda result: bool(result.violations))
    try:
        run = run_app_matrix(
            [app],
            [FAULTS.get(name) for name in fault_names],
            backend=Backend(),
            jobs=jobs,
            wsgi_server=wsgi_server,
            on_result=progress.finished,
            on_start=progress.started,
        )
    finally:
        progress.close()
    results = show_violations(run.results, fault_names)
    show_skips_and_errors(results)
    click.echo(f"{len(run.results)} faults in {run.seconds:.1f} s")
    expectations = held_to_every_invariant(wsgi_spec, fault_names)
    report = MatrixReport.build(
        run.results, expectations, [wsgi_spec], fault_names, run.seconds, allow_skip=allow_skip
    )
    write_reports(report, targets)
    # A fault that cannot count its strikes (``?``) is not unexercised, nor is it proof.
    uncounted = [result.fault for result in run.results if result.strike_unknown]
    struck = (
        f"struck by every fault that counts its strikes ({', '.join(uncounted)} cannot count them)"
        if uncounted
        else "struck by every fault"
    )
    finish(
        report.gate,
        f"{wsgi_spec}: {struck}, recovered after each, no hang"
        + (", database consistent" if db_check else ""),
    )
