"""Show one fault of the catalogue to one plain connection of a driver, as the matrix runs it.

The fault is armed as a matrix cell arms it (:class:`~chaos.runner.armed_fault.ArmedFault`: the
same pre-flight, a namespace for kernel faults, a proxy for proxy and wire faults). Skips come
only from that pre-flight; once the environment is up, anything that raises is a failure of the
reproduction, never a skip. What the client does is the fault's own ``repro_action``.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import pymysql

from chaos.drivers import Connection, Driver
from chaos.drivers import driver as driver_named
from chaos.errors import ChaosError, error_summary
from chaos.faults.base import Fault, FaultTarget
from chaos.faults.client_actions import SCHEMA, ClientAction
from chaos.faults.replica_lag import StaleReadSeen
from chaos.repro.outcome import Reproduction
from chaos.runner.armed_fault import ArmedFault, FaultUnavailable
from chaos.runner.environment import Backend
from chaos.runner.preflight import unmet_need
from chaos.settings import ConnectionSettings

log = logging.getLogger(__name__)


class NoErrorError(ChaosError):
    """The client's action succeeded: the fault did not take effect."""


def reproduce_fault(
    fault_class: type[Fault],
    toxiproxy: Any = None,
    backend: Backend | None = None,
    driver: Driver | None = None,
) -> Reproduction:
    """Run ``fault_class`` once against one client connection of ``driver`` (PyMySQL by
    default); never raises for its failure."""
    backend = backend or Backend()
    driver = driver or driver_named()
    started = time.monotonic()

    def outcome(**fields: Any) -> Reproduction:
        return Reproduction(
            fault_class.name,
            fault_class.description,
            fault_class.mechanism,
            time.monotonic() - started,
            driver=driver.name,
            **fields,
        )

    action = fault_class.repro_action
    if action is None:
        # The pre-flight's skip still comes first: a fault that cannot run here is a skip.
        reason = unmet_need(fault_class, backend, toxiproxy)
        if reason is not None:
            return outcome(skipped=reason)
        return outcome(failure=f"no client action for fault {fault_class.name!r}")
    set_up = _create_table if action.needs_table else None
    try:
        with ArmedFault(fault_class, backend, toxiproxy, set_up=set_up) as armed:
            settings = armed.target.client_settings
            action_settings = armed.target.read_settings if action.reads_replica else settings
            with armed.entered():
                conn = driver.connect(settings, read_timeout=action.read_timeout)
                try:
                    session = driver.thread_id(conn)
                    armed.inject()
                    error = error_of(action, driver, conn, action_settings, session)
                finally:
                    _close_quietly(conn)
    except FaultUnavailable as e:
        return outcome(skipped=e.reason)
    except Exception as e:
        log.debug("repro of %s failed", fault_class.name, exc_info=True)
        return outcome(failure=error_summary(e))
    return outcome(error=error)


def error_of(
    action: ClientAction,
    driver: Driver,
    conn: Connection,
    settings: ConnectionSettings,
    session: int | None = None,
) -> Exception:
    """Run ``action`` and return the driver's error it raised (anything else propagates).

    ``session`` is the connection's server session id before the fault: when the action
    succeeded on another one, the driver reconnected without telling, and the message says so.
    """
    try:
        action.after_inject(driver, conn, settings)
    except Exception as e:
        if isinstance(e, driver.error_class()) or is_driver_error(e):
            return e
        if isinstance(e, StaleReadSeen):  # no error at all: the old answer is what it shows
            return e
        raise
    after = driver.thread_id(conn)
    if session is not None and after != session:
        raise NoErrorError(
            f"{action.describe} succeeded: the driver reconnected silently "
            f"(session {session} became {after}), the fault showed no error"
        )
    raise NoErrorError(f"{action.describe} succeeded: the fault showed no error")


def is_driver_error(error: BaseException) -> bool:
    """An error a driver raised, though not of its DB-API classes: mysql-connector's C
    extension lets its own ``_mysql_connector.MySQLInterfaceError`` escape from COMMIT."""
    return type(error).__module__ == "_mysql_connector"


def _close_quietly(conn: Connection) -> None:
    # mysqlclient raises on closing a connection the fault already closed; that is not news.
    try:
        conn.close()
    except Exception as e:
        log.debug("closing the struck connection: %r", e)


def _create_table(target: FaultTarget) -> None:
    conn = pymysql.connect(**target.admin_settings.pymysql_kwargs())
    try:
        with conn.cursor() as cursor:
            for sql in SCHEMA:
                cursor.execute(sql)
        conn.commit()
    finally:
        conn.close()
