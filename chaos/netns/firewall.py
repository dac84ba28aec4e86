"""nftables rules inside a namespace: the middlebox that drops or resets a server's traffic.

Client and server share the namespace's loopback, so every packet of the connection crosses the
``output`` hook once: one chain there sees both directions. Every rule has a ``counter``, so a
fault can say how many packets its rules struck (:meth:`Firewall.packets_struck`).

The rules on new connections (:meth:`Firewall.drop_new_connections`,
:meth:`Firewall.refuse_new_connections`) match only a SYN without ACK, so established sessions
pass untouched, and they note each attempt's source port in a set with a timeout: the kernel's
own record of every connect that met the rule and when (:meth:`Firewall.connect_attempts`).
"""

from __future__ import annotations

import logging
import re

from chaos.netns.capability import tool
from chaos.netns.namespace import NetworkNamespace

log = logging.getLogger(__name__)

TABLE = "mysql_chaos"
_COUNTER = re.compile(r"\bcounter packets (\d+) bytes \d+")
# ``ss -o`` shows ``timer:(keepalive,...)`` or ``timer:(on,...)`` (retransmitting) on a socket the
# kernel will still give up on by itself; an idle socket without keepalive shows no timer.
_TIMER = re.compile(r"\btimer:\((?:keepalive|on),")
#: The set of source ports whose SYN met a new-connection rule, and its elements' lifetime:
#: longer than any fault phase, so no attempt expires before it is read.
ATTEMPTS = "connect_attempts"
ATTEMPT_TIMEOUT_SECONDS = 600
_ELEMENT = re.compile(r"\b(\d+) (?:timeout \S+ )?expires ((?:\d+ms|\d+[hms])+)")
_DURATION_PART = re.compile(r"(\d+)(ms|h|m|s)")
_UNIT_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
#: ``ss`` states between a first FIN and the last ACK (TIME-WAIT sends nothing by itself).
_CLOSING_STATES = ("fin-wait-1", "fin-wait-2", "close-wait", "last-ack", "closing")
#: A first SYN: SYN set, ACK clear (a SYN-ACK or anything later in a session does not match).
_SYN = "tcp flags & (syn | ack) == syn"


class Firewall:
    """Rules for one server port; :meth:`clear` removes them all (idempotent)."""

    def __init__(self, namespace: NetworkNamespace, port: int) -> None:
        self.namespace = namespace
        self.port = int(port)
        self.active: str | None = None

    def _apply(self, rules: str, sets: str = "") -> None:
        ruleset = (
            f"table inet {TABLE} {{}}\n"
            f"delete table inet {TABLE}\n"
            f"table inet {TABLE} {{\n"
            f"{sets}"
            "  chain output {\n"
            "    type filter hook output priority 0; policy accept;\n"
            f"{rules}"
            "  }\n"
            "}\n"
        )
        self.namespace.run([tool("nft"), "-f", "-"], input_text=ruleset)

    def drop_both_ways(self) -> None:
        """Silently drop every packet to and from the port: a middlebox forgot the flow."""
        self._apply(
            f"    tcp dport {self.port} counter drop\n    tcp sport {self.port} counter drop\n"
        )
        self.active = "drop"

    def reset_both_ways(self) -> None:
        """Answer every packet to and from the port with a TCP RST.

        The RSTs the rule generates cross this hook too; they must not match, or they would be
        swallowed and the client would see a timeout instead of a reset.
        """
        self._apply(
            f"    tcp dport {self.port} tcp flags & rst == 0 counter reject with tcp reset\n"
            f"    tcp sport {self.port} tcp flags & rst == 0 counter reject with tcp reset\n"
        )
        self.active = "reset"

    def reset_requests(self) -> None:
        """Answer the next packet that carries a request to the port with a TCP RST.

        Only segments with data (PSH) match: a delayed pure ACK from the handshake, which the
        kernel may still send after the rule is in place, passes, so the reset meets the query
        itself and never an earlier, idle moment of the connection.
        """
        self._apply(
            f"    tcp dport {self.port} tcp flags & (psh | rst) == psh counter "
            "reject with tcp reset\n"
        )
        self.active = "reset-requests"

    def drop_new_connections(self) -> None:
        """Silently drop every connection attempt (SYN) to the port: the connect hangs until the
        client's connect timeout. Established sessions pass."""
        self._new_connection_rule("drop")
        self.active = "syn-drop"

    def refuse_new_connections(self) -> None:
        """Answer every connection attempt (SYN) to the port with a TCP RST, as a closed port or
        a firewall's REJECT does: the connect fails at once (ECONNREFUSED). Established sessions
        pass."""
        self._new_connection_rule("reject with tcp reset")
        self.active = "syn-refused"

    def _new_connection_rule(self, verdict: str) -> None:
        sets = (
            f"  set {ATTEMPTS} {{\n"
            "    type inet_service; size 65535; flags dynamic,timeout;\n"
            f"    timeout {ATTEMPT_TIMEOUT_SECONDS}s;\n"
            "  }\n"
        )
        # Two rules: an attempt is noted apart from the verdict, so a full set (an add that
        # fails ends its rule) never lets a SYN through.
        rules = (
            f"    tcp dport {self.port} {_SYN} add @{ATTEMPTS} {{ tcp sport }}\n"
            f"    tcp dport {self.port} {_SYN} counter {verdict}\n"
        )
        self._apply(rules, sets)

    def connect_attempts(self) -> list[float]:
        """How many seconds ago each connection attempt first met the new-connection rule, one
        per source port (a SYN sent again on the same port, a retransmission, counts once; so
        does a port the kernel reuses, after some 14 000 attempts: a lower bound). Empty when
        no such rule is active."""
        if self.active not in ("syn-drop", "syn-refused"):
            return []
        listing = self.namespace.output([tool("nft"), "list", "set", "inet", TABLE, ATTEMPTS])
        return [
            max(0.0, ATTEMPT_TIMEOUT_SECONDS - _seconds(expires))
            for _port, expires in _ELEMENT.findall(listing)
        ]

    def packets_struck(self) -> int | None:
        """Packets the active rules dropped or reset so far (None when no rule is active)."""
        if self.active is None:
            return None
        listing = self.namespace.output([tool("nft"), "list", "table", "inet", TABLE])
        return sum(int(packets) for packets in _COUNTER.findall(listing))

    def clear(self) -> None:
        if self.active is None:
            return
        self.namespace.run(
            [tool("nft"), "-f", "-"],
            input_text=f"table inet {TABLE} {{}}\ndelete table inet {TABLE}\n",
        )
        self.active = None

    def dying_connections(self, client_port: int | None = None) -> int:
        """Established TCP connections of the port, either end, that the kernel will still
        declare dead by itself (a keepalive or retransmission timer runs on them); with
        ``client_port``, only the two ends of that one client's connection."""
        ends = f"( sport = :{self.port} or dport = :{self.port} )"
        if client_port is not None:
            ends = (
                f"( sport = :{self.port} and dport = :{client_port} )"
                f" or ( sport = :{client_port} and dport = :{self.port} )"
            )
        out = self.namespace.output([tool("ss"), "-Htno", "state", "established", ends])
        return sum(1 for line in out.splitlines() if _TIMER.search(line))

    def closing_connections(self) -> int:
        """TCP connections of the port, either end, still in the middle of closing (a FIN sent
        or received, not yet answered): packets a rule put in now would strike, though neither
        end uses the connection any more."""
        states = [arg for state in _CLOSING_STATES for arg in ("state", state)]
        out = self.namespace.output(
            [tool("ss"), "-Htn", *states, f"( sport = :{self.port} or dport = :{self.port} )"]
        )
        return sum(1 for line in out.splitlines() if line.strip())

    def established_connections(self) -> int:
        """TCP connections to the port still established (client sockets: dport = port)."""
        out = self.namespace.output(
            [tool("ss"), "-Htn", "state", "established", f"( dport = :{self.port} )"]
        )
        return sum(1 for line in out.splitlines() if line.strip())


def _seconds(duration: str) -> float:
    """nft's ``1m2s345ms`` in seconds."""
    return sum(
        int(amount) * _UNIT_SECONDS[unit] for amount, unit in _DURATION_PART.findall(duration)
    )
