"""Faults on new connections: the SYN dropped (the connect hangs) or refused (it fails at once).

What a client meets when it reconnects to an endpoint that is gone. A firewall that drops new
flows (a security group changed, a host gone behind a route that still exists) leaves the connect
waiting until the client's own connect timeout, forever without one; a port nobody listens on, or
a firewall's REJECT, answers RST and the connect fails at once, so a client that retries without
a pause spins. Neither rule touches an established session: to make the client connect while
the rule is in place, ``inject()`` first KILLs the client's sessions (over the admin session,
which does not use the server's TCP port), then puts the rule in.

What struck is what the kernel saw: each connection attempt that met the rule, noted in an
nftables set with the moment it came (:meth:`~chaos.netns.Firewall.connect_attempts`), read on
heal as ``connects`` and ``connects_per_tenth``. A client that never tried to connect was not
struck (``unexercised``); one that tried too often is judged by the connect-storm check.
"""

from __future__ import annotations

import time
from abc import abstractmethod
from typing import ClassVar

from chaos.fault_effect import FaultEffect
from chaos.faults.base import Fault, Need, register_fault
from chaos.faults.client_actions import RECONNECT
from chaos.netns import Firewall

CONNECT_REFUSED = (
    "OperationalError(2003, \"Can't connect to MySQL server on '127.0.0.1' "
    '([Errno 111] Connection refused)")'
)
CONNECT_TIMED_OUT = (
    "OperationalError(2003, \"Can't connect to MySQL server on '127.0.0.1' (timed out)\")"
)


class _NewConnectionFault(Fault):
    needs = frozenset({Need.NETNS, Need.PROCESS})
    # The client's sessions are closed and its reconnect meets the rule.
    repro_action = RECONNECT
    # The second operation of each worker starts 0.5 s into the fault phase, past the scaled
    # recycle (0.125 s): a client that replaces its connection only on a timer has tried to
    # reconnect by then, whatever the load (back to back, both failed at once on the killed
    # session and the timer ran out after heal: measured, unexercised in one run of two).
    fault_phase_spacing = 0.5
    #: What the rule does to a SYN, in a few words.
    verb: ClassVar[str] = ""

    def _firewall(self) -> Firewall:
        if not hasattr(self, "_fw"):
            self._fw = Firewall(self.target.namespace, self.target.server.settings.port)
        return self._fw

    @abstractmethod
    def _put_rule(self) -> None:
        """Put the fault's rule on new connections in place."""

    def _inject(self) -> FaultEffect:
        self._started = time.monotonic()
        server = self.target.server
        ids = server.client_connection_ids(self.target.client_settings.database)
        killed = sum(1 for i in ids if server.kill_connection(i, missing_ok=True))
        # No operation runs between the KILL and the rule (inject() runs between phases): the
        # client's next connect meets the rule.
        self._put_rule()
        sessions = f"{killed} client session{'' if killed == 1 else 's'}"
        # What strikes is a connect meeting the rule: counted on heal.
        return FaultEffect(detail=f"killed {sessions}; new connections {self.verb}")

    def _heal(self) -> FaultEffect:
        firewall = self._firewall()
        if firewall.active is None:
            return FaultEffect(detail="no rules left to remove")
        ages = firewall.connect_attempts()
        now = time.monotonic()
        firewall.clear()
        started = getattr(self, "_started", now)
        tenths = [max(0, int((now - age - started) * 10)) for age in ages]
        per_tenth = [0] * (max(tenths) + 1 if tenths else 0)
        for tenth in tenths:
            per_tenth[tenth] += 1
        return FaultEffect(
            len(ages) > 0,
            len(ages),
            f"rule removed; connects {self.verb} (nftables set)",
            connects=len(ages),
            connects_per_tenth=tuple(per_tenth),
        )


@register_fault
class SynDropFault(_NewConnectionFault):
    name = "syn-drop"
    slow = True  # every connect waits for the client's connect timeout
    verb = "dropped"
    produces = CONNECT_TIMED_OUT
    description = (
        "new connections to the server vanish (a firewall drops them): a connect hangs until "
        "the client's connect timeout"
    )
    mechanism = (
        "the client's sessions KILLed, then nftables drops every SYN to the server's port "
        "(established sessions pass) until heal"
    )

    def _put_rule(self) -> None:
        self._firewall().drop_new_connections()


@register_fault
class SynRefusedFault(_NewConnectionFault):
    name = "syn-refused"
    verb = "refused"
    produces = CONNECT_REFUSED
    description = (
        "new connections to the server are refused (nothing listens, or a firewall rejects): "
        "a connect fails at once"
    )
    mechanism = (
        "the client's sessions KILLed, then nftables answers every SYN to the server's port "
        "with RST (established sessions pass) until heal"
    )

    def _put_rule(self) -> None:
        self._firewall().refuse_new_connections()
