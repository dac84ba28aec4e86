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

from chaos.appmode.load import BankRequests, HttpLoad
from chaos.appmode.outcome import answers_by_phase
from chaos.appmode.user_load import UserRequests
from chaos.appserver.app_server import AppServer
from chaos.checker import APP_CHECKS, CHECK_APP_CHECKS, CheckContext, CheckResult
from chaos.fault_effect import combined
from chaos.faults.base import Fault, FaultTarget
from chaos.runner.app_timing import AppTiming
from chaos.runner.app_under_test import (
    AppUnderTest,
    app_environment,
    app_process_environment,
    app_secrets,
)
from chaos.runner.armed_fault import ArmedFault, FaultUnavailable
from chaos.runner.cell import CellResult, describe_error
from chaos.runner.environment import Backend
from chaos.settings import ConnectionSettings
from chaos.workload.bank import TRANSFER_SIGNATURE, create_bank, read_state
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

    accounts = accounts_needed(timing.clients)

    def set_up(target: FaultTarget) -> None:
        if app.bank:
            create_bank(target.admin_settings, accounts=accounts, initial_balance=INITIAL_BALANCE)

    # A user's app without the bank writes what it writes: any work that writes is struck.
    signature = TRANSFER_SIGNATURE if app.bank else ""
    try:
        with ArmedFault(
            fault_class, backend, toxiproxy, set_up=set_up, transfer_signature=signature
        ) as armed:
            with armed.entered():
                history = _exercise(app, armed, timing, wsgi_server, accounts)
                verdict, state = _judge(app, history, armed.target, timing)
        history_file = None
        if history_dir is not None:
            name = history_file_name(app.name, fault_class.name, prefix="app")
            history_file = str(history_dir / name)
            save_jsonl(history_file, history, state)
    except FaultUnavailable as e:
        return result(skipped=e.reason)
    except Exception as e:
        log.debug("app cell %s x %s failed", app.name, fault_class.name, exc_info=True)
        return result(error=describe_error(e))
    notes = (answers_by_phase(history.operations),)
    strike = combined(history.meta.inject_effect, history.meta.heal_effect)
    return result(check=verdict, history_file=history_file, notes=notes, strike=strike)


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
    armed: ArmedFault,
    timing: AppTiming,
    wsgi_server: str,
    accounts: int,
) -> History:
    """HTTP load through the fault's phases; the schema is made and the fault prepared."""
    target = armed.target
    preexec = armed.preexec()
    origin = time.monotonic()
    operations: list[Operation] = []
    phases: list[PhaseSpan] = []

    def now() -> float:
        return time.monotonic() - origin

    def phase(load: HttpLoad, name: Phase, seconds: float, at_least: int = 0) -> None:
        start = now()
        operations.extend(load.run(name, seconds, at_least, longest=timing.hard_deadline))
        phases.append(PhaseSpan(name, start, now()))

    plan = BankRequests() if app.bank else UserRequests(app.path, app.requests, app.load)
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
                inject_effect = armed.inject()
                phase(load, Phase.FAULT, timing.fault_seconds, timing.requests_per_client)
                heal_effect = armed.heal()
                heal_time = now()
                phase(load, Phase.RECOVERY, timing.recovery_seconds)
    finally:
        # Heal and put back GLOBAL variables also when the cell failed early.
        armed.disarm()
    meta = CellMeta(
        strategy=app.name,
        fault=armed.name,
        hard_deadline=timing.hard_deadline,
        heal_time=heal_time,
        phases=tuple(phases),
        workers=timing.clients,
        initial_total=accounts * INITIAL_BALANCE if app.bank else None,
        recovery_deadline=timing.recovery_deadline,
        fault_time=fault_time,
        inject_effect=inject_effect,
        heal_effect=heal_effect,
    )
    return History(meta, tuple(sorted(operations, key=lambda op: (op.invoke, op.worker))))
