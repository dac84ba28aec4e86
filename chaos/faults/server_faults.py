"""Faults on the server process: restart, crash, freeze. They need a server the suite owns."""

from __future__ import annotations

import time
from typing import ClassVar

from chaos.fault_effect import FaultEffect
from chaos.faults.base import Fault, Need, register_fault
from chaos.faults.client_actions import QUERY, QUERY_WITH_READ_TIMEOUT
from chaos.faults.produced import LOST, LOST_TIMED_OUT


@register_fault
class ServerRestartFault(Fault):
    name = "server-restart"
    repro_action = QUERY
    app_mode_default = True
    produces = LOST
    description = "mysqld restarted (a deploy, a failover): every connection is closed"
    mechanism = "clean shutdown and start of the disposable server on the same port"
    needs = frozenset({Need.PROCESS})

    def _inject(self) -> FaultEffect:
        self.target.server.restart()
        return FaultEffect(detail="restarted the server")

    def _heal(self) -> FaultEffect:
        """Nothing to repair: the server is already back."""
        return FaultEffect(detail="nothing to repair")


@register_fault
class ServerCrashFault(Fault):
    name = "server-crash"
    repro_action = QUERY
    produces = LOST
    description = "mysqld killed (OOM killer, crash), back after crash recovery"
    mechanism = "SIGKILL; operations meet a dead server; heal starts it through crash recovery"
    needs = frozenset({Need.PROCESS})
    fault_phase_operations: ClassVar[int] = 1

    def _inject(self) -> FaultEffect:
        self.target.server.kill(restart=False)
        return FaultEffect(detail="killed the server (SIGKILL)")

    def _heal(self) -> FaultEffect:
        self.target.server.start()
        return FaultEffect(detail="started the server (crash recovery)")


@register_fault
class ServerFreezeFault(Fault):
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
        self.target.server.freeze()
        return FaultEffect(detail="froze the server (SIGSTOP)")

    def _heal(self) -> FaultEffect:
        self.target.server.thaw()
        # Give the thawed server a moment to drain what queued while it was stopped.
        time.sleep(0.05)
        return FaultEffect(detail="thawed the server (SIGCONT)")
