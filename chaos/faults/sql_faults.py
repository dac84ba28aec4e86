"""Faults made with SQL from an admin session: idle timeout, KILL, connection exhaustion.

The two that change a GLOBAL variable need :attr:`Need.GLOBALS`: a server the suite owns, or the
user's explicit leave on one it does not; the value is put back by ``Fault.close()`` whatever
happened to the cell.
"""

from __future__ import annotations

import time
from types import MappingProxyType
from typing import Any, ClassVar

import pymysql

from chaos.fault_effect import FaultEffect
from chaos.faults.base import Fault, FaultTarget, Need, register_fault
from chaos.faults.client_actions import QUERY, RECONNECT
from chaos.faults.produced import GONE_AWAY_RESET, LOST, TOO_MANY_CONNECTIONS
from chaos.waiting import wait_until


@register_fault
class IdleTimeoutFault(Fault):
    """Struck: the client sessions open when the idling began that the server then closed
    (the processlist before and after). With none open it struck nothing when the server's
    ``Aborted_clients`` (which a wait_timeout close raises) did not move since ``prepare()``;
    when it moved, sessions ended earlier, maybe by the timeout: not known."""

    strikes_between_transactions = True
    name = "idle-timeout"
    repro_action = QUERY
    slow = True
    app_mode_default = True
    produces = GONE_AWAY_RESET
    # MySQL (>= 8.0.24) says goodbye first: ERR 4031 with sequence id 0, then the close.
    # pymysql reads it as the next query's answer, and a packet numbered 0 is 2013 to it,
    # without the 4031 (measured on MySQL 9.7.4 with PyMySQL 1.2.4).
    produces_by_flavour = MappingProxyType({"mysql": LOST})
    description = "the server's wait_timeout closes connections left idle (8 h by default)"
    mechanism = "SET GLOBAL wait_timeout=1 before the client connects, then idle past it"
    needs = frozenset({Need.GLOBALS})
    wait_timeout: ClassVar[int] = 1

    def prepare(self) -> None:
        self.set_server_global("wait_timeout", self.wait_timeout)
        self._aborted_before = _global_status(self.target.server, "Aborted_clients")

    def _inject(self) -> FaultEffect:
        # Idle until the server has closed every client session (or long enough that it would
        # have): what a pool left alone overnight finds in the morning.
        server = self.target.server
        database = self.target.client_settings.database
        idle = set(server.client_connection_ids(database))
        time.sleep(self.wait_timeout)
        wait_until(lambda: not server.client_connection_ids(database), 5)
        closed = len(idle - set(server.client_connection_ids(database)))
        detail = f"idled past wait_timeout={self.wait_timeout}; client sessions closed"
        if closed or getattr(self, "_aborted_before", None) is None:
            return FaultEffect.counted(closed, detail)
        if _global_status(server, "Aborted_clients") == self._aborted_before:
            return FaultEffect(False, 0, detail + " (none was open, none timed out before)")
        return FaultEffect(detail=detail + ": none open; some ended earlier, maybe timed out")

    def _heal(self) -> FaultEffect:
        # New connections get the server's own wait_timeout again.
        self.restore_globals()
        return FaultEffect(detail="wait_timeout restored")


@register_fault
class KillConnectionFault(Fault):
    strikes_between_transactions = True
    rest_seconds = 0.5
    name = "kill-connection"
    repro_action = QUERY
    app_mode_default = True
    produces = LOST
    description = "a DBA or a tool (pt-kill) runs KILL on the client's connections"
    mechanism = "KILL CONNECTION for every client session, from an admin session"

    def _inject(self) -> FaultEffect:
        # Only the cell's own sessions: on a shared server, others' are not ours to kill.
        killed = _kill_client_sessions(self.target)
        return FaultEffect.counted(killed, f"killed {_sessions(killed)}")

    def _heal(self) -> FaultEffect:
        """Nothing to repair: the server is fine, the connections are gone."""
        return FaultEffect(detail="nothing to repair")


def _kill_client_sessions(target: FaultTarget) -> int:
    """KILL every session in the client's database; how many were killed (not gone before)."""
    server = target.server
    ids = server.client_connection_ids(target.client_settings.database)
    return sum(1 for connection_id in ids if server.kill_connection(connection_id, missing_ok=True))


@register_fault
class TooManyConnectionsFault(Fault):
    """Struck: the client's sessions killed to make room (on inject), and the connection
    attempts the server refused while the hogs held every slot (on heal: ``Aborted_connects``,
    read through a hog after the hogs' own last refusal and again on heal; MariaDB 10.11 counts
    a 1040 there, measured, and not in ``Connection_errors_max_connections``, which only counts
    refusals before the handshake). A client that never reconnects was still struck: its
    session was killed."""

    name = "too-many-connections"
    # The hogs take every slot and the client's session is killed: what a client sees is the
    # refusal of its reconnect.
    repro_action = RECONNECT
    not_in_app_mode = (
        "its max_connections=10 is below the app's 16 threads: measured, the app's own "
        "connections exhaust the server before the fault, and the suite's admin session is "
        "refused with 1040 (every cell errors); the fault needs a client that holds fewer "
        "connections than the limit, as the in-process cells' 4 workers do"
    )
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

    def _inject(self) -> FaultEffect:
        killed = _kill_client_sessions(self.target)
        direct = self.target.server.settings  # hogs connect straight to the server
        for _ in range(self.max_connections * 3):
            try:
                self._hogs.append(pymysql.connect(**direct.pymysql_kwargs(connect_timeout=2)))
            except pymysql.err.OperationalError as e:
                if e.args[0] == 1040:
                    break
                raise
        # What strikes is the refusal of a reconnect: counted from here to the heal.
        self._refused_before = self._refusals()
        return FaultEffect.counted(
            killed, f"{len(self._hogs)} connections hold every slot; client sessions killed"
        )

    def _refusals(self) -> int | None:
        """The server's count of failed connection attempts, asked through a hog (the admin
        would be refused too); None without a hog."""
        hogs = getattr(self, "_hogs", ())
        if not hogs:
            return None
        with hogs[0].cursor() as cursor:
            cursor.execute("SHOW GLOBAL STATUS LIKE 'Aborted_connects'")
            row = cursor.fetchone()
        return None if row is None else int(row[1])

    def _heal(self) -> FaultEffect:
        before, after = getattr(self, "_refused_before", None), self._refusals()
        refused = None if before is None or after is None else after - before
        self._refused_before = None
        hogs = len(getattr(self, "_hogs", ()))
        for conn in getattr(self, "_hogs", ()):
            conn.close()
        self._hogs = []
        self.restore_globals()
        return FaultEffect.counted(
            refused, f"closed {hogs} connections; max_connections restored; connections refused"
        )


def _global_status(server: Any, name: str) -> int | None:
    """A global status counter (None: the server has no such counter)."""
    rows = server.query("SHOW GLOBAL STATUS LIKE %s", (name,))
    return int(rows[0][1]) if rows else None


def _sessions(count: int) -> str:
    return f"{count} client session{'' if count == 1 else 's'}"
