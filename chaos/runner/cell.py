"""One matrix cell: a strategy meets a fault, the history is judged.

The only module that wires faults, strategies, the workload and the checker together.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pymysql

from chaos.checker import check, check_lists
from chaos.errors import StrategyExitError, error_summary, one_line
from chaos.fault_effect import combined
from chaos.faults.base import Fault, FaultTarget
from chaos.runner.armed_fault import ArmedFault, FaultUnavailable
from chaos.runner.ast_guard import AST_LOCK, guard_traceback_formatting
from chaos.runner.environment import Backend
from chaos.runner.timing import CellTiming
from chaos.strategy import StrategyFactory
from chaos.strategy.loading import build_strategy
from chaos.verdicts.cell_result import CellResult
from chaos.workload.bank import (
    TRANSFER_SIGNATURE,
    create_bank,
    read_state,
    session_setup_for,
)
from chaos.workload.driver import WorkloadDriver
from chaos.workload.generator import accounts_needed
from chaos.workload.history import History, Phase, history_file_name, save_jsonl
from chaos.workload.list_append import NAME as LIST_APPEND
from chaos.workload.list_append import TXN_SIGNATURE, create_lists, keys_needed, read_lists
from chaos.workload.list_state import ListState
from chaos.workload.state import BankState
from chaos.workload.timeline import Timeline

log = logging.getLogger(__name__)

# Strategy factories are called one at a time, and never while another thread formats a
# traceback: building one can generate code (Werkzeug compiles a Flask app's URL rules with
# ``ast``), and CPython 3.11's AST constructor keeps its recursion depth in state that threads
# share; a factory was seen to fail at random with "SystemError: AST constructor recursion depth
# mismatch" (gh-106905), also once factories were serialised, while pymysql formatted the
# traceback of a failed connect in another cell (chaos/runner/ast_guard.py).
_FACTORY_LOCK = AST_LOCK
#: Seconds a strategy's close() may take before the cell goes on without it.
CLOSE_TIMEOUT = 5.0
guard_traceback_formatting()

INITIAL_BALANCE = 1000

#: What happens between the warm-up and the recovery phase: the fault struck while the workload
#: runs. It returns the history's metadata about the fault (``inject_effect``, ``heal_effect``,
#: ``between_transactions``) and marks the fault and heal times on the driver.
FaultPhase = Callable[[WorkloadDriver, ArmedFault], dict[str, Any]]


def one_fault_phase(driver: WorkloadDriver, armed: ArmedFault) -> dict[str, Any]:
    """A matrix cell's fault phase: inject, every worker at once, heal."""
    fault = armed.fault
    driver.mark_fault()
    inject_effect = armed.inject()
    # Every worker at once; faults that strike one transaction choose it on the wire.
    driver.run_fault_phase(fault.fault_phase_operations, spacing=fault.fault_phase_spacing)
    heal_effect = armed.heal()
    driver.mark_heal()
    return {
        "inject_effect": inject_effect,
        "heal_effect": heal_effect,
        "between_transactions": fault.strikes_between_transactions,
    }


def run_cell(
    strategy_name: str,
    factory: StrategyFactory,
    fault_class: type[Fault],
    *,
    backend: Backend,
    toxiproxy: Any | None,
    timing: CellTiming,
    history_dir: Path | None = None,
    fault_phase: FaultPhase = one_fault_phase,
    workload: str = "bank",
) -> CellResult:
    """Run one cell; never raises for a cell-level problem (skips and errors are results).

    ``fault_phase`` drives the fault while the workload runs (a soak strikes a schedule of
    faults there instead of one).

    A skip comes only from the pre-flight needs, checked before anything starts. Whatever
    raises after that (the fault, the server, the proxy, a bug) is an ``error`` result: the
    matrix goes on and the gate fails. Ctrl-C (``KeyboardInterrupt``) still goes through.
    """
    started = time.monotonic()

    def result(**fields: Any) -> CellResult:
        return CellResult(strategy_name, fault_class.name, time.monotonic() - started, **fields)

    accounts = accounts_needed(timing.workers)
    lists = workload == LIST_APPEND

    def set_up(target: FaultTarget) -> None:
        if lists:
            create_lists(target.admin_settings, keys_needed(timing.workers))
        else:
            create_bank(target.admin_settings, accounts=accounts, initial_balance=INITIAL_BALANCE)

    signature = TXN_SIGNATURE if lists else TRANSFER_SIGNATURE
    state: BankState | ListState
    try:
        with ArmedFault(
            fault_class, backend, toxiproxy, set_up=set_up, transfer_signature=signature
        ) as armed:
            with armed.entered():
                history = _exercise(
                    strategy_name, factory, armed, timing, accounts, fault_phase, workload
                )
                settings = armed.target.admin_settings
                state = read_lists(settings) if lists else read_state(settings)
        if isinstance(state, ListState):
            verdict = check_lists(history, state, recovery_deadline=timing.recovery_deadline)
        else:
            verdict = check(
                history,
                state,
                initial_total=history.meta.initial_total or 0,
                recovery_deadline=timing.recovery_deadline,
            )
        history_file = None
        if history_dir is not None:
            history_file = str(history_dir / history_file_name(strategy_name, fault_class.name))
            save_jsonl(history_file, history, state)
    except FaultUnavailable as e:
        return result(skipped=e.reason)
    except Exception as e:
        log.debug("cell %s x %s failed", strategy_name, fault_class.name, exc_info=True)
        return result(error=describe_error(e))
    meta = history.meta
    return result(
        check=verdict,
        history_file=history_file,
        timeline=Timeline.from_history(history),
        strike=combined(meta.inject_effect, meta.heal_effect),
    )


def describe_error(error: BaseException) -> str:
    """One line for a cell's error: the message of a ChaosError, type and message otherwise."""
    if isinstance(error, pymysql.err.Error):
        return f"{type(error).__name__}{error.args!r}"  # the driver's code and message as raised
    return error_summary(error)


def _exercise(
    strategy_name: str,
    factory: StrategyFactory,
    armed: ArmedFault,
    timing: CellTiming,
    accounts: int,
    fault_phase: FaultPhase,
    workload: str,
) -> History:
    """The workload through the fault's phases; the schema is made and the fault prepared."""
    fault = armed.fault
    # Every client is asked to set up the same session state; reads record it (drift).
    session = session_setup_for(armed.target.admin_settings)
    client = armed.target.client_settings
    reads = armed.target.read_settings
    config = timing.strategy_config(
        client.with_session(session), reads.with_session(session) if reads else None
    )
    strategy = None
    driver = None
    try:
        with _FACTORY_LOCK:
            strategy = build_strategy(factory, config)
        driver = WorkloadDriver(
            strategy,
            workers=timing.workers,
            hard_deadline=timing.hard_deadline,
            session=session,
            workload=workload,
        )
        driver.run_concurrently(timing.warmup_operations, Phase.WARMUP)
        bank = workload != LIST_APPEND  # the session readings (drift) ride on bank reads
        if bank:
            driver.read_once(Phase.WARMUP)
        fault_meta = fault_phase(driver, armed)
        driver.run_until_recovered(Phase.RECOVERY, timing.recovery_deadline)
        if bank:
            driver.read_once(Phase.RECOVERY)
        history = driver.history(
            strategy_name,
            fault.name,
            initial_total=accounts * INITIAL_BALANCE if bank else None,
            recovery_deadline=timing.recovery_deadline,
        )
        return history.with_meta(**fault_meta)
    finally:
        # Heal (retried) and put back the GLOBAL variables prepare() changed, also when the
        # cell failed before inject; a failure here is the cell's error.
        try:
            armed.disarm()
        finally:
            if driver is not None:
                driver.close()
            if strategy is not None:
                _close_quietly(strategy)


def _close_quietly(strategy: object, timeout: float = CLOSE_TIMEOUT) -> None:
    """The strategy's ``close()``, waited for at most ``timeout`` seconds.

    A close may block for good behind a connection the fault left hung: a worker stuck in a
    read with no timeout holds the lock close needs. The cell must still end (its verdict is
    already in the history, a hang); the teardown that follows ends that connection, and the
    close with it, in its own daemon thread.
    """
    outcome: list[BaseException | None] = []

    def close() -> None:
        try:
            strategy.close()  # type: ignore[attr-defined]
            outcome.append(None)
        except BaseException as e:  # carried to the cell's thread, judged there
            outcome.append(e)

    thread = threading.Thread(target=close, name="strategy-close", daemon=True)
    thread.start()
    thread.join(timeout)
    if not outcome:
        log.warning("strategy close() still blocked after %.0f s; left to the teardown", timeout)
        return
    error = outcome[0]
    if isinstance(error, Exception):  # a strategy's broken close must not hide the verdict
        log.warning("strategy close failed: %s", describe_error(error))
    elif isinstance(error, SystemExit):  # but an exit would end the whole run: the cell's error
        raise StrategyExitError(f"strategy close() exited ({one_line(error)})") from error
    elif error is not None:
        raise error
