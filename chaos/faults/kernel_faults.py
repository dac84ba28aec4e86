"""Faults in the kernel: nftables rules in the namespace the client and server share.

Toxiproxy cannot make these: the proxy host's kernel acknowledges the client's bytes, so the
client's own socket never times out. Here the packets themselves vanish.
"""

from __future__ import annotations

from typing import ClassVar

from chaos.errors import FaultError
from chaos.fault_effect import FaultEffect
from chaos.faults.base import Fault, Need, register_fault
from chaos.faults.client_actions import QUERY
from chaos.faults.produced import GONE_AWAY_RESET, GONE_AWAY_TIMED_OUT
from chaos.netns import Firewall
from chaos.waiting import wait_until


class _FirewallFault(Fault):
    strikes_between_transactions = True
    needs = frozenset({Need.NETNS, Need.PROCESS})
    repro_action = QUERY
    #: Upper bound on waiting for the kernel to give up on the connections.
    settle_timeout: ClassVar[float] = 15.0

    #: Upper bound on waiting for connections already closing to finish before the rules go in.
    closing_timeout: ClassVar[float] = 1.0

    def _firewall(self) -> Firewall:
        if not hasattr(self, "_fw"):
            self._fw = Firewall(self.target.namespace, self.target.server.settings.port)
        return self._fw

    def _after_closing_connections(self) -> Firewall:
        """The firewall, once the connections that were closing as the fault began are closed.

        A client that connects per operation closed its last one just before: the server's
        FIN may still be on its way. The rules would drop it and count a strike on a client
        that holds no connection (seen: per-request read as struck, once in many runs).
        """
        firewall = self._firewall()
        wait_until(lambda: firewall.closing_connections() == 0, self.closing_timeout)
        return firewall

    def _wait_for_connections_to_die(self) -> None:
        # The middlebox forgets the flow at once; each end's kernel notices only when its
        # keepalive probes (or a write) go unanswered. Wait for exactly that, not a guess: until
        # no end is left that its kernel will still kill. A client without keepalive (pure
        # mysql-connector) never dies here; its server end does, which bounds the wait.
        firewall = self._firewall()
        if not wait_until(lambda: firewall.dying_connections() == 0, self.settle_timeout):
            raise FaultError(f"{self.name}: connections still dying after the fault")

    def _strike_until_connections_die(self, verb: str) -> FaultEffect:
        """Wait for the rules to kill every end they can, count what they struck, forget the
        flows (the rules go)."""
        firewall = self._firewall()
        try:
            self._wait_for_connections_to_die()
            packets = firewall.packets_struck()
        finally:
            # Old flows stay forgotten: their sockets are dead, and a client end without
            # keepalive meets a RST from the server's kernel at its next packet. New flows pass,
            # as behind a real middlebox that only dropped its state table entry.
            firewall.clear()
        return FaultEffect.counted(packets, f"{verb} packets both ways (nftables counters)")

    def _heal(self) -> FaultEffect:
        # inject() removed the rules once they had struck; these are left only if it failed.
        firewall = self._firewall()
        left = firewall.active is not None
        firewall.clear()
        return FaultEffect(detail="rules removed" if left else "no rules left to remove")


@register_fault
class MiddleboxDropFault(_FirewallFault):
    name = "middlebox-drop"
    produces = GONE_AWAY_TIMED_OUT
    slow = True  # keepalive has to give up first
    app_mode_default = True  # the seed's own error
    description = "a NAT/firewall/load balancer silently forgets idle flows (the seed's error)"
    mechanism = (
        "namespace with keepalive 1s/1s/2; nftables drops both directions until the kernel "
        "declares the idle connections dead (ETIMEDOUT), then the rules go: new flows work, "
        "an end without keepalive meets a RST"
    )

    def _inject(self) -> FaultEffect:
        self._after_closing_connections().drop_both_ways()
        return self._strike_until_connections_die("dropped")


@register_fault
class MiddleboxResetFault(_FirewallFault):
    rest_seconds = 0.5
    name = "middlebox-reset"
    produces = GONE_AWAY_RESET
    description = "a firewall resets idle connections with TCP RST"
    mechanism = (
        "namespace; nftables answers both directions with RST until every end that sends is "
        "reset, then the rules go: an end without keepalive meets a RST from the server's kernel"
    )

    def _inject(self) -> FaultEffect:
        self._after_closing_connections().reset_both_ways()
        return self._strike_until_connections_die("reset")
