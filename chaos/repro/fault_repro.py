"""Show one fault of the catalogue to a plain pymysql connection, as the matrix runs it.

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

from chaos.errors import ChaosError, error_summary
from chaos.faults.base import Fault, FaultTarget
from chaos.faults.client_actions import SCHEMA, ClientAction
from chaos.repro.outcome import Reproduction
from chaos.runner.armed_fault import ArmedFault, FaultUnavailable
from chaos.runner.environment import Backend
from chaos.runner.preflight import unmet_need
from chaos.settings import ConnectionSettings

log = logging.getLogger(__name__)


class NoErrorError(ChaosError):
    """The client's action succeeded: the fault did not take effect."""


def reproduce_fault(
    fault_class: type[Fault], toxiproxy: Any = None, backend: Backend | None = None
) -> Reproduction:
    """Run ``fault_class`` once against one client connection; never raises for its failure."""
    backend = backend or Backend()
    started = time.monotonic()

    def outcome(**fields: Any) -> Reproduction:
        return Reproduction(
            fault_class.name,
            fault_class.description,
            fault_class.mechanism,
            time.monotonic() - started,
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
            with armed.entered():
                conn = pymysql.connect(**settings.pymysql_kwargs(read_timeout=action.read_timeout))
                try:
                    armed.inject()
                    error = error_of(action, conn, settings)
                finally:
                    conn.close()
    except FaultUnavailable as e:
        return outcome(skipped=e.reason)
    except Exception as e:
        log.debug("repro of %s failed", fault_class.name, exc_info=True)
        return outcome(failure=error_summary(e))
    return outcome(error=error)


def error_of(
    action: ClientAction, conn: pymysql.Connection, settings: ConnectionSettings
) -> pymysql.err.MySQLError:
    """Run ``action`` and return the pymysql error it raised."""
    try:
        action.after_inject(conn, settings)
    except pymysql.err.MySQLError as e:
        return e
    raise NoErrorError(f"{action.describe} succeeded: the fault showed no error")


def _create_table(target: FaultTarget) -> None:
    conn = pymysql.connect(**target.admin_settings.pymysql_kwargs())
    try:
        with conn.cursor() as cursor:
            for sql in SCHEMA:
                cursor.execute(sql)
        conn.commit()
    finally:
        conn.close()
