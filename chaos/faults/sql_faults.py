"""Faults made with SQL from an admin session: idle timeout, KILL, connection exhaustion.

The two that change a GLOBAL variable need :attr:`Need.GLOBALS`: a server the suite owns, or the
user's explicit leave on one it does not; the value is put back by ``Fault.close()`` whatever
happened to the cell.
"""

from __future__ import annotations

import time
from typing import ClassVar

import pymysql

from chaos.faults.base import Fault, Need, register_fault
from chaos.faults.produced import GONE_AWAY_RESET, LOST, TOO_MANY_CONNECTIONS
from chaos.waiting import wait_until


@register_fault
class IdleTimeoutFault(Fault):
    name = "idle-timeout"
    produces = GONE_AWAY_RESET
    description = "the server's wait_timeout closes connections left idle (8 h by default)"
    mechanism = "SET GLOBAL wait_timeout=1 before the client connects, then idle past it"
    needs = frozenset({Need.GLOBALS})
    wait_timeout: ClassVar[int] = 1

    def prepare(self) -> None:
        self.set_server_global("wait_timeout", self.wait_timeout)

    def _inject(self) -> None:
        # Idle until the server has closed every client session (or long enough that it would
        # have): what a pool left alone overnight finds in the morning.
        server = self.target.server
        database = self.target.client_settings.database
        time.sleep(self.wait_timeout)
        wait_until(lambda: not server.client_connection_ids(database), 5)

    def _heal(self) -> None:
        # New connections get the server's own wait_timeout again.
        self.restore_globals()


@register_fault
class KillConnectionFault(Fault):
    name = "kill-connection"
    produces = LOST
    description = "a DBA or a tool (pt-kill) runs KILL on the client's connections"
    mechanism = "KILL CONNECTION for every client session, from an admin session"

    def _inject(self) -> None:
        server = self.target.server
        # Only the cell's own sessions: on a shared server, others' are not ours to kill.
        for connection_id in server.client_connection_ids(self.target.client_settings.database):
            server.kill_connection(connection_id, missing_ok=True)

    def _heal(self) -> None:
        """Nothing to repair: the server is fine, the connections are gone."""


@register_fault
class TooManyConnectionsFault(Fault):
    name = "too-many-connections"
    produces = TOO_MANY_CONNECTIONS  # on the reconnect
    description = "a reconnect storm (or another client) exhausts max_connections"
    mechanism = (
        "max_connections=10; other clients hold every slot and the client's sessions are "
        "killed, so every reconnect is refused with 1040 until the hogs let go"
    )
    # PROCESS as well: on a shared server the hogs would starve every other client, and
    # parallel cells would starve each other.
    needs = frozenset({Need.PROCESS, Need.GLOBALS})
    max_connections: ClassVar[int] = 10

    def prepare(self) -> None:
        self._hogs: list[pymysql.Connection] = []
        self.set_server_global("max_connections", self.max_connections)

    def _inject(self) -> None:
        server = self.target.server
        for connection_id in server.client_connection_ids(self.target.client_settings.database):
            server.kill_connection(connection_id, missing_ok=True)
        direct = server.settings  # hogs connect straight to the server, not through a proxy
        for _ in range(self.max_connections * 3):
            try:
                self._hogs.append(pymysql.connect(**direct.pymysql_kwargs(connect_timeout=2)))
            except pymysql.err.OperationalError as e:
                if e.args[0] == 1040:
                    return
                raise

    def _heal(self) -> None:
        for conn in getattr(self, "_hogs", ()):
            conn.close()
        self._hogs = []
        self.restore_globals()
