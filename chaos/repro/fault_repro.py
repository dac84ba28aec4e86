"""Show one fault of the catalogue to a plain pymysql connection, as the matrix runs it.

The fault is the matrix's own :class:`~chaos.faults.base.Fault` class in the matrix's own
:class:`~chaos.runner.environment.CellEnvironment` (a namespace for kernel faults, a proxy for
proxy and wire faults). Skips come only from the same pre-flight needs; once the environment is
up, anything that raises is a failure of the reproduction, never a skip.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import pymysql

from chaos.faults.base import Fault
from chaos.repro.client_actions import CLIENT_ACTIONS, SCHEMA, error_of
from chaos.repro.outcome import Reproduction, one_line
from chaos.runner.environment import Backend, CellEnvironment
from chaos.runner.preflight import unmet_need

log = logging.getLogger(__name__)


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

    reason = unmet_need(fault_class, backend, toxiproxy)
    if reason is not None:
        return outcome(skipped=reason)
    action = CLIENT_ACTIONS.get(fault_class.name)
    if action is None:
        return outcome(failure=f"no client action for fault {fault_class.name!r}")
    try:
        with CellEnvironment(fault_class, backend, toxiproxy) as env:
            assert env.target is not None
            reason = fault_class.unmet_need(env.target)  # e.g. a Toxiproxy without the toxic
            if reason is not None:
                return outcome(skipped=reason)
            if action.needs_table:
                _create_table(env.target.admin_settings)
            fault = fault_class(env.target)
            try:
                with env.entered():
                    fault.prepare()
                    settings = env.target.client_settings
                    conn = pymysql.connect(
                        **settings.pymysql_kwargs(read_timeout=action.read_timeout)
                    )
                    try:
                        fault.inject()
                        error = error_of(action, conn, settings)
                    finally:
                        conn.close()
            finally:
                fault.close()
    except Exception as e:
        log.debug("repro of %s failed", fault_class.name, exc_info=True)
        return outcome(failure=one_line(e))
    return outcome(error=error)


def _create_table(admin: Any) -> None:
    conn = pymysql.connect(**admin.pymysql_kwargs())
    try:
        with conn.cursor() as cursor:
            for sql in SCHEMA:
                cursor.execute(sql)
        conn.commit()
    finally:
        conn.close()
