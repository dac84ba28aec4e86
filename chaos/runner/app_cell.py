"""One app cell: an app under a real WSGI server meets a fault under concurrent HTTP load.

The app server runs where an in-process cell's strategy would: behind the cell's proxy, inside
the cell's namespace (for kernel faults the server process enters it, and so do the HTTP
clients, which reach it on the namespace's loopback), against the cell's server. The phases are
an in-process cell's: warm-up, inject, fault, heal, recovery; the HTTP clients send requests in
every phase, and the fault is injected and healed between phases, with no request in flight, as
in-process: a KILL or a restart landing inside a random request would strike a random
transaction and the verdict would depend on timing. The faults that strike inside a transaction
do it on the wire, so they stay deterministic under load.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import pymysql

from chaos.appmode.load import BankRequests, GetRequests, HttpLoad
from chaos.appmode.outcome import answers_by_phase
from chaos.appmode.timing import AppTiming
from chaos.bench.app_server import AppServer
from chaos.checker import APP_CHECKS, CHECK_APP_CHECKS, CheckContext, CheckResult
from chaos.faults.base import Fault, FaultTarget
from chaos.runner.app_under_test import (
    AppUnderTest,
    app_environment,
    app_process_environment,
    app_secrets,
)
from chaos.runner.cell import CellResult, describe_error
from chaos.runner.environment import Backend, CellEnvironment
from chaos.runner.preflight import unmet_need
from chaos.settings import ConnectionSettings
from chaos.workload.bank import create_schema, read_state
from chaos.workload.generator import accounts_needed
from chaos.workload.history import (
    CellMeta,
    History,
    Operation,
    Phase,
    PhaseSpan,
    history_file_name,
    save_jsonl,
)
from chaos.workload.state import BankState

log = logging.getLogger(__name__)

INITIAL_BALANCE = 1000
#: A cell's app server is not stopped gracefully: its threads may wait on a dead link.
_APP_STOP_SECONDS = 1.0


def run_app_cell(
    app: AppUnderTest,
    fault_class: type[Fault],
    *,
    backend: Backend,
    toxiproxy: Any | None,
    timing: AppTiming,
    wsgi_server: str = "auto",
    history_dir: Path | None = None,
) -> CellResult:
    """Run one app cell; never raises for a cell-level problem (skips and errors are results)."""
    started = time.monotonic()

    def result(**fields: Any) -> CellResult:
        return CellResult(app.name, fault_class.name, time.monotonic() - started, **fields)

    reason = unmet_need(fault_class, backend, toxiproxy)
    if reason is not None:
        return result(skipped=reason)
    try:
        with CellEnvironment(fault_class, backend, toxiproxy) as env:
            assert env.target is not None
            reason = fault_class.unmet_need(env.target)
            if reason is not None:
                return result(skipped=reason)
            preexec = env.namespace.preexec() if env.namespace is not None else None
            with env.entered():
                history = _exercise(app, fault_class(env.target), timing, wsgi_server, preexec)
                verdict, state = _judge(app, history, env.target, timing)
        history_file = None
        if history_dir is not None:
            name = history_file_name(app.name, fault_class.name, prefix="app")
            history_file = str(history_dir / name)
            save_jsonl(history_file, history, state)
    except Exception as e:
        log.debug("app cell %s x %s failed", app.name, fault_class.name, exc_info=True)
        return result(error=describe_error(e))
    notes = (answers_by_phase(history.operations),)
    return result(check=verdict, history_file=history_file, notes=notes)


def _judge(
    app: AppUnderTest, history: History, target: FaultTarget, timing: AppTiming
) -> tuple[CheckResult, BankState | None]:
    """The bank's state read over the admin connection; the user's check gets what the app
    got (the proxy, or the server), healed."""
    if app.bank:
        state = read_state(target.admin_settings)
        context = CheckContext(
            timing.recovery_deadline, initial_total=history.meta.initial_total or 0
        )
        return APP_CHECKS.judge(history, state, context), state
    failure = _run_db_check(app, target.client_settings) if app.db_check else None
    context = CheckContext(timing.recovery_deadline, db_check_failure=failure)
    return CHECK_APP_CHECKS.judge(history, None, context), None


def _run_db_check(app: AppUnderTest, settings: ConnectionSettings) -> str | None:
    """Why the user's check said the database is inconsistent, or ``None`` when it did not."""
    assert app.db_check is not None
    try:
        answer = app.db_check(settings)
    except Exception as e:
        return f"the database check raised {describe_error(e)}"
    return "the database check returned False" if answer is False else None


def _exercise(
    app: AppUnderTest,
    fault: Fault,
    timing: AppTiming,
    wsgi_server: str,
    preexec: Any,
) -> History:
    target = fault.target
    accounts = accounts_needed(timing.clients)
    if app.bank:
        admin = pymysql.connect(**target.admin_settings.pymysql_kwargs())
        try:
            create_schema(admin, accounts=accounts, initial_balance=INITIAL_BALANCE)
        finally:
            admin.close()
    origin = time.monotonic()
    operations: list[Operation] = []
    phases: list[PhaseSpan] = []

    def now() -> float:
        return time.monotonic() - origin

    def phase(load: HttpLoad, name: Phase, seconds: float, at_least: int = 0) -> None:
        start = now()
        operations.extend(load.run(name, seconds, at_least, longest=timing.hard_deadline))
        phases.append(PhaseSpan(name, start, now()))

    plan = BankRequests() if app.bank else GetRequests(app.path)
    server = AppServer(
        app.module,
        {**app_environment(target.client_settings, timing), **app_process_environment(app)},
        secrets=app_secrets(target.client_settings),
        server=wsgi_server,
        threads=timing.threads,
        cwd=app.cwd,
        ready_path=app.path,
        preexec=preexec,
        stop_timeout=_APP_STOP_SECONDS,
    )
    try:
        fault.prepare()  # before the app connects (wait_timeout, max_connections)
        with server:
            load = HttpLoad(
                server.socket_path,
                plan,
                clients=timing.clients,
                pace=timing.pace_seconds,
                timeout=timing.hard_deadline,
                origin=origin,
                preexec=preexec,
            )
            with load:
                phase(load, Phase.WARMUP, timing.warmup_seconds, timing.requests_per_client)
                fault_time = now()
                fault.inject()
                phase(load, Phase.FAULT, timing.fault_seconds, timing.requests_per_client)
                fault.heal()
                heal_time = now()
                phase(load, Phase.RECOVERY, timing.recovery_seconds)
    finally:
        # Heal and put back GLOBAL variables also when the cell failed early.
        fault.close()
    meta = CellMeta(
        strategy=app.name,
        fault=fault.name,
        hard_deadline=timing.hard_deadline,
        heal_time=heal_time,
        phases=tuple(phases),
        workers=timing.clients,
        initial_total=accounts * INITIAL_BALANCE if app.bank else None,
        recovery_deadline=timing.recovery_deadline,
        fault_time=fault_time,
    )
    return History(meta, tuple(sorted(operations, key=lambda op: (op.invoke, op.worker))))
