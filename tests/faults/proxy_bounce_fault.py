"""A fault of the tests' own, whole in this one module: ``proxy-bounce``.

A load balancer in front of the server restarts: every live connection through it is closed,
and new ones get through at once (unlike ``outage``, which keeps the port refusing for the fault
phase). Everything the suite needs to run it (needs, repro action, app-mode standing, what it
gives a client) is stated here; tests/faults/test_fault_in_its_own_module.py registers it and
finds it in repro, the matrix and the pytest plugin with no other edit.
"""

from __future__ import annotations

from chaos.fault_effect import FaultEffect
from chaos.faults import Fault, Need
from chaos.faults.client_actions import QUERY
from chaos.faults.produced import LOST


class ProxyBounceFault(Fault):
    name = "proxy-bounce"
    description = "a load balancer restarts: live connections are closed, new ones pass at once"
    mechanism = "Toxiproxy proxy disabled and enabled again at once (live links closed with FIN)"
    needs = frozenset({Need.PROXY})
    produces = LOST
    repro_action = QUERY

    def _inject(self) -> FaultEffect:
        self.target.proxy.disable()
        self.target.proxy.enable()
        return FaultEffect(detail="proxy disabled and enabled again: live links closed")

    def _heal(self) -> FaultEffect:
        """Nothing to repair: the proxy is already back."""
        return FaultEffect(detail="nothing to repair")
