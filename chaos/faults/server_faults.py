"""Faults on the server process: restart, crash, freeze. They need a server the suite owns.

What they struck: the client's sessions on the server (in the client's database) when the
process was stopped, killed or frozen, read from the processlist just before. A runner acts
with no operation in flight, so those are the sessions the event ends or freezes.
"""

from __future__ import annotations

import time
from typing import ClassVar

from chaos.fault_effect import FaultEffect
from chaos.faults.base import Fault, Need, register_fault
from chaos.faults.client_actions import QUERY, QUERY_WITH_READ_TIMEOUT
from chaos.faults.produced import LOST, LOST_TIMED_OUT


@register_fault
class ServerRestartFault(Fault):
    """Struck: the client sessions open when the restart began; the restart is over when
    inject returns, so a client with none (it connects per operation) met nothing of it."""

    name = "server-restart"
    repro_action = QUERY
    app_mode_default = True
    produces = LOST
    description = "mysqld restarted (a deploy, a failover): every connection is closed"
    mechanism = "clean shutdown and start of the disposable server on the same port"
    needs = frozenset({Need.PROCESS})

    def _inject(self) -> FaultEffect:
        sessions = _client_sessions(self)
        self.target.server.restart()
        return FaultEffect.counted(sessions, "restarted the server; client sessions ended")

    def _heal(self) -> FaultEffect:
        """Nothing to repair: the server is already back."""
        return FaultEffect(detail="nothing to repair")


@register_fault
class ServerCrashFault(Fault):
    """Struck: the client sessions the SIGKILL ended. None when there were none: the server
    stays dead until heal, and a client that connects meanwhile is refused by the kernel,
    which nothing here counts."""

    name = "server-crash"
    repro_action = QUERY
    produces = LOST
    description = "mysqld killed (OOM killer, crash), back after crash recovery"
    mechanism = "SIGKILL; operations meet a dead server; heal starts it through crash recovery"
    needs = frozenset({Need.PROCESS})
    fault_phase_operations: ClassVar[int] = 1

    def _inject(self) -> FaultEffect:
        sessions = _client_sessions(self)
        self.target.server.kill(restart=False)
        return _unless_none(sessions, "killed the server (SIGKILL); client sessions ended")

    def _heal(self) -> FaultEffect:
        self.target.server.start()
        return FaultEffect(detail="started the server (crash recovery)")


@register_fault
class ServerFreezeFault(Fault):
    """Struck: the client sessions open when the server was frozen. None when there were
    none: a client that connects during the freeze waits in the kernel's backlog, uncounted."""

    name = "server-freeze"
    repro_action = QUERY_WITH_READ_TIMEOUT
    slow = True
    app_mode_default = True
    produces = LOST_TIMED_OUT  # with a read timeout; without one, a hang
    description = "half-open server: TCP still accepted, nothing answers (hung host, stalled VM)"
    mechanism = "SIGSTOP the server for the fault phase, SIGCONT to heal"
    needs = frozenset({Need.PROCESS})
    fault_phase_operations: ClassVar[int] = 1

    def _inject(self) -> FaultEffect:
        sessions = _client_sessions(self)
        self.target.server.freeze()
        return _unless_none(sessions, "froze the server (SIGSTOP); client sessions frozen")

    def _heal(self) -> FaultEffect:
        self.target.server.thaw()
        # Give the thawed server a moment to drain what queued while it was stopped.
        time.sleep(0.05)
        return FaultEffect(detail="thawed the server (SIGCONT)")


def _client_sessions(fault: Fault) -> int:
    """The client's sessions on the server now (its database's, not the suite's admin one)."""
    target = fault.target
    return len(target.server.client_connection_ids(target.client_settings.database))


def _unless_none(sessions: int, detail: str) -> FaultEffect:
    """``sessions`` struck; with none, not known (what the fault does next is not counted)."""
    if sessions:
        return FaultEffect.counted(sessions, detail)
    return FaultEffect(detail=detail.split(";")[0] + "; no client session open")
