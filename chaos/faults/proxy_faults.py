"""Faults made by a Toxiproxy (embedded or real) between client and server.

What they struck is read from the embedded server's extensions of the API: a toxic's
read-only ``strikes`` and a proxy's ``links_closed``. A real Toxiproxy counts neither, so there
these faults say their strikes are not known (``struck`` None), never a guess.
"""

from __future__ import annotations

from typing import Any, ClassVar

from chaos.fault_effect import FaultEffect
from chaos.faults.base import Fault, Need, register_fault
from chaos.faults.client_actions import QUERY, QUERY_WITH_READ_TIMEOUT
from chaos.faults.produced import LOST, LOST_TIMED_OUT


@register_fault
class ResetPeerFault(Fault):
    """Struck: the links the toxic reset on data (its ``strikes``), read on heal; a link that
    carried anything while it was on is counted, so 0 means no answer reached the client."""

    name = "reset-peer"
    repro_action = QUERY
    app_mode_default = True
    description = "connections dropped with TCP RST (a load balancer or proxy restarting)"
    mechanism = (
        "Toxiproxy reset_peer toxic, there at toxicity 0 before clients connect, raised to 1: "
        "the next answer on every link is dropped with RST"
    )
    needs = frozenset({Need.PROXY})
    produces = (
        "OperationalError(2013, 'Lost connection to MySQL server during query "
        "([Errno 104] Connection reset by peer)')"
    )
    toxic_name: ClassVar[str] = "chaos_reset"

    def prepare(self) -> None:
        # Toxiproxy sets SO_LINGER 0 on a link that opens while a reset_peer toxic exists,
        # whatever its toxicity, and only then: a link that was open before the toxic closes
        # with a FIN (EOF, not ECONNRESET). At toxicity 0 the toxic lets everything through.
        if not self._present():
            self._add(toxicity=0.0)

    def _inject(self) -> FaultEffect:
        if self._present():
            # Raising the toxicity restarts the toxic on every live link, rolled at 1: it runs.
            self.target.proxy.update_toxic(self.toxic_name, toxicity=1.0)
        else:
            self._add(toxicity=1.0)  # not prepared: links opened before get EOF, not RST
        # The links are reset when their next answer comes: counted on heal.
        return FaultEffect(detail="reset_peer at toxicity 1 on every link")

    def _heal(self) -> FaultEffect:
        strikes = _strikes(self.target.proxy, self.toxic_name)
        self.target.proxy.remove_toxic(self.toxic_name)
        return FaultEffect.counted(strikes, "reset_peer removed; links reset")

    def _present(self) -> bool:
        return any(toxic["name"] == self.toxic_name for toxic in self.target.proxy.toxics())

    def _add(self, toxicity: float) -> None:
        self.target.proxy.add_toxic(
            "reset_peer", name=self.toxic_name, timeout=0, toxicity=toxicity
        )


@register_fault
class OutageFault(Fault):
    """Struck: the live links the disable closed (the proxy's ``links_closed``, before and
    after). None when it closed none: a client that connects during the outage is refused by
    the kernel (the port does not listen), and nothing counts those refusals."""

    name = "outage"
    repro_action = QUERY
    app_mode_default = True
    description = "the server is unreachable for a while (network partition), then back"
    mechanism = "Toxiproxy proxy disabled (live links closed, port refuses) for the fault phase"
    needs = frozenset({Need.PROXY})
    produces = LOST

    def _inject(self) -> FaultEffect:
        proxy = self.target.proxy
        before = proxy.refresh().links_closed
        proxy.disable()
        after = proxy.links_closed
        detail = "proxy disabled: live links closed, new ones refused"
        if before is None or after is None or after == before:
            # No live link: whether the client tried to connect meanwhile is not counted.
            return FaultEffect(detail=detail + ("" if before is None else "; no live link"))
        return FaultEffect.counted(after - before, detail)

    def _heal(self) -> FaultEffect:
        self.target.proxy.enable()
        return FaultEffect(detail="proxy enabled")


@register_fault
class SlowNetworkFault(Fault):
    """Struck: the answers' chunks the latency toxic held back (its ``strikes``), read on
    heal; 0 means no answer passed while it was on."""

    name = "slow-network"
    repro_action = QUERY_WITH_READ_TIMEOUT
    slow = True
    app_mode_default = True
    description = "replies slower than the client's read timeout (congested or distant link)"
    mechanism = "Toxiproxy latency toxic on the downstream, longer than any operation may take"
    needs = frozenset({Need.PROXY})
    produces = LOST_TIMED_OUT
    fault_phase_operations: ClassVar[int] = 1
    # Longer than the cell's hard deadline (8 s): a client without a read timeout hangs whatever
    # its number of round trips, one with a timeout fails fast. A latency close to the deadline
    # would make the verdict depend on how many round trips a strategy happens to make.
    latency_ms: ClassVar[int] = 20000

    def _inject(self) -> FaultEffect:
        # Downstream only: statements reach the server on time, their answers do not. Delaying
        # the upstream too would let a timed-out COMMIT land after the client gave up on it.
        self.target.proxy.add_toxic("latency", name="chaos_latency", latency=self.latency_ms)
        return FaultEffect(detail=f"latency {self.latency_ms} ms on every answer")

    def _heal(self) -> FaultEffect:
        strikes = _strikes(self.target.proxy, "chaos_latency")
        self.target.proxy.remove_toxic("chaos_latency")
        return FaultEffect.counted(strikes, "latency removed; answers delayed")


def _strikes(proxy: Any, toxic_name: str) -> int | None:
    """The toxic's ``strikes`` (None: absent, or a Toxiproxy that does not count them)."""
    toxic = next((toxic for toxic in proxy.toxics() if toxic["name"] == toxic_name), {})
    strikes = toxic.get("strikes")
    return None if strikes is None else int(strikes)
