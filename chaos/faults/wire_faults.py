"""Faults seen on the wire: protocol toxics strike at an exact point of the MySQL conversation.

Each fault adds one protocol toxic (chaos/toxiproxy/server/toxics/mysql_*.py, an extension of
Toxiproxy's API) and removes it on heal. The toxic sees the statements and the server's answers
on the link itself, so the fault strikes any client that speaks MySQL through the proxy, once,
deterministically, and needs no hook in the client's code nor a look at its tables.

A Toxiproxy that does not know the toxic type (a real one answers 400) makes the fault skip
before the cell starts: :meth:`WireFault.unmet_need` asks the server once per run, by trying the
toxic on a throw-away proxy.

The heal reads the toxic's ``strikes`` (the embedded server's read-only count, an extension of
the API) before removing it: the heal's effect says how often the fault struck.
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
import time
from typing import Any, ClassVar

from chaos.fault_effect import FaultEffect
from chaos.faults.base import Fault, FaultTarget, Need, register_fault
from chaos.faults.client_actions import QUERY, TRANSACTION_OF_TWO
from chaos.faults.produced import LOST

log = logging.getLogger(__name__)

TOXIC_NAME = "chaos_wire"

_probe_names = itertools.count(1)
_accepted: dict[tuple[str, str], str | None] = {}
_probe_lock = threading.Lock()


def toxic_support(client: Any, toxic_type: str) -> str | None:
    """Why ``client``'s server cannot run ``toxic_type`` (``None``: it can); asked once each."""
    key = (client.url, toxic_type)
    with _probe_lock:
        if key not in _accepted:
            _accepted[key] = _probe(client, toxic_type)
        return _accepted[key]


def _probe(client: Any, toxic_type: str) -> str | None:
    name = f"chaos_probe_{os.getpid()}_{next(_probe_names)}"
    try:
        version = client.version()
        proxy = client.create_proxy(name, "127.0.0.1:9", listen="127.0.0.1:0", enabled=False)
    except Exception as e:  # the server is unusable: the cell reports that itself
        return f"cannot probe the Toxiproxy for {toxic_type}: {e}"
    try:
        proxy.add_toxic(toxic_type, name="probe")
    except Exception as e:
        status = getattr(e, "status", "?")
        return (
            f"needs the {toxic_type} protocol toxic, which this Toxiproxy ({version}) "
            f"does not know (HTTP {status}): use the embedded server"
        )
    finally:
        try:
            client.delete_proxy(name)
        except Exception:
            pass
    return None


class WireFault(Fault):
    """A fault made of one protocol toxic, added on inject and removed on heal."""

    needs = frozenset({Need.PROXY})
    fault_phase_operations: ClassVar[int] = 1
    # These faults strike a transaction: a lone query would never meet them.
    repro_action = TRANSACTION_OF_TWO
    toxic_type: ClassVar[str] = ""
    stream: ClassVar[str] = "upstream"
    #: The toxic's name on the proxy; a fault that may share the proxy uses its own.
    toxic_name: ClassVar[str] = TOXIC_NAME

    @classmethod
    def toxic_attributes(cls) -> dict[str, Any]:
        return {}

    @classmethod
    def unmet_need(cls, target: FaultTarget) -> str | None:
        unmet = super().unmet_need(target)
        if unmet is None:
            unmet = toxic_support(target.proxy.client, cls.toxic_type)
        return unmet

    def attributes(self) -> dict[str, Any]:
        """The toxic's attributes in this cell: the class's, limited to the workload's judged
        work when the runner named it and the toxic picks work (``writes``)."""
        attributes = self.toxic_attributes()
        if attributes.get("writes") and self.target.transfer_signature:
            attributes["transaction_match"] = self.target.transfer_signature
        return attributes

    def _inject(self) -> FaultEffect:
        self.target.proxy.add_toxic(
            self.toxic_type, name=self.toxic_name, stream=self.stream, **self.attributes()
        )
        return FaultEffect(detail=f"{self.toxic_type} added on the {self.stream}")

    def _heal(self) -> FaultEffect:
        proxy = self.target.proxy
        strikes = toxic_strikes(proxy, self.toxic_name)
        proxy.remove_toxic(self.toxic_name)
        return FaultEffect.counted(strikes, f"{self.toxic_type} removed")


def find_toxic(proxy: Any, name: str) -> dict[str, Any] | None:
    """The toxic ``name`` of ``proxy`` as the API shows it (None: there is none)."""
    return next((toxic for toxic in proxy.toxics() if toxic["name"] == name), None)


def toxic_strikes(proxy: Any, name: str) -> int | None:
    """How often the toxic ``name`` struck so far (None: absent, or not counted)."""
    toxic = find_toxic(proxy, name) or {}
    strikes = toxic.get("strikes")
    return None if strikes is None else int(strikes)


@register_fault
class MidTransactionDropFault(WireFault):
    name = "mid-transaction-drop"
    app_mode_default = True
    description = "the link dies between two statements of an open transaction"
    mechanism = (
        "mysql_cut toxic: the first statement that writes (in a transaction, or alone under "
        "autocommit) is answered, then the client's next command is not forwarded and the "
        "link is cut (the server rolls back an open transaction)"
    )
    produces = LOST
    toxic_type = "mysql_cut"

    @classmethod
    def toxic_attributes(cls) -> dict[str, Any]:
        return {"statements": 1, "transaction": "any", "writes": 1}


@register_fault
class AmbiguousCommitFault(WireFault):
    name = "ambiguous-commit"
    app_mode_default = True
    description = "the link dies after COMMIT was sent and applied, before its OK arrives"
    mechanism = "mysql_lose_commit_ok toxic: the server's OK to COMMIT is dropped, link cut"
    produces = LOST
    toxic_type = "mysql_lose_commit_ok"

    @classmethod
    def toxic_attributes(cls) -> dict[str, Any]:
        return {"writes": 1}


@register_fault
class LostCommitFault(WireFault):
    name = "lost-commit"
    description = "the link dies while COMMIT is on its way: the server never gets it"
    mechanism = "mysql_lose_commit toxic: COMMIT is not forwarded, link cut (server rolls back)"
    produces = LOST
    toxic_type = "mysql_lose_commit"

    @classmethod
    def toxic_attributes(cls) -> dict[str, Any]:
        return {"writes": 1}


DEADLOCK_MESSAGE = "Deadlock found when trying to get lock; try restarting transaction"
LOCK_WAIT_MESSAGE = "Lock wait timeout exceeded; try restarting transaction"


@register_fault
class DeadlockFault(WireFault):
    name = "deadlock"
    app_mode_default = True
    description = "the second statement of a transaction is chosen as a deadlock victim"
    mechanism = (
        "mysql_error toxic 1213: ROLLBACK is sent in the statement's place, then the ERR; "
        "the server really rolled the transaction back"
    )
    produces = f"OperationalError(1213, '{DEADLOCK_MESSAGE}')"
    toxic_type = "mysql_error"

    @classmethod
    def toxic_attributes(cls) -> dict[str, Any]:
        return {
            "code": 1213,
            "state": "40001",
            "message": DEADLOCK_MESSAGE,
            "transaction": "in",
            "position": 2,
            "writes": 1,
        }


@register_fault
class LockWaitTimeoutFault(WireFault):
    name = "lock-wait-timeout"
    description = "the second statement of a transaction times out waiting for a row lock"
    mechanism = (
        "mysql_error toxic 1205: the statement is answered with the ERR, not forwarded; "
        "the transaction stays open with its first statement applied"
    )
    produces = f"OperationalError(1205, '{LOCK_WAIT_MESSAGE}')"
    toxic_type = "mysql_error"

    @classmethod
    def toxic_attributes(cls) -> dict[str, Any]:
        return {
            "code": 1205,
            "state": "HY000",
            "message": LOCK_WAIT_MESSAGE,
            "transaction": "in",
            "position": 2,
            "writes": 1,
        }


@register_fault
class MidTransactionOutageFault(WireFault):
    name = "mid-transaction-outage"
    slow = True
    description = "the link dies after a transaction's first statement and stays down for 5 s"
    mechanism = (
        "mysql_cut toxic with refuse: after the first statement that writes the link is cut at "
        "the next command; new links are closed at once until heal, 5 s after inject"
    )
    produces = LOST
    toxic_type = "mysql_cut"
    outage_seconds: ClassVar[float] = 5.0  # longer than any strategy's retry budget

    @classmethod
    def toxic_attributes(cls) -> dict[str, Any]:
        return {"statements": 1, "transaction": "any", "writes": 1, "refuse": 1}

    def _inject(self) -> FaultEffect:
        self._injected_at = time.monotonic()
        return super()._inject()

    def _heal(self) -> FaultEffect:
        # The outage lasts its full length whenever the fault phase ends.
        remaining = self._injected_at + self.outage_seconds - time.monotonic()
        if remaining > 0:
            time.sleep(remaining)
        return super()._heal()


INACTIVITY_MESSAGE = (
    "The client was disconnected by the server because of inactivity. "
    "See wait_timeout and interactive_timeout for configuring this behavior."
)


@register_fault
class Mysql8IdleDisconnectFault(WireFault):
    strikes_between_transactions = True
    rest_seconds = 0.5
    name = "mysql8-idle-disconnect"
    repro_action = QUERY  # an idle connection is struck: its next query meets the close
    description = "MySQL >= 8.0.24 closes an idle connection after sending error 4031"
    mechanism = (
        "mysql_close toxic: idle links get an unsolicited ERR 4031 (sequence id 0), then FIN; "
        "pymysql reads it as the answer to its next command"
    )
    produces = LOST
    toxic_type = "mysql_close"
    stream = "downstream"

    @classmethod
    def toxic_attributes(cls) -> dict[str, Any]:
        return {"code": 4031, "state": "HY000", "message": INACTIVITY_MESSAGE, "idle_only": 1}


@register_fault
class ServerShutdownFault(WireFault):
    name = "server-shutdown"
    repro_action = QUERY
    description = "a graceful server shutdown ends every session, idle or in a query"
    mechanism = (
        "mysql_close toxic: every live link is closed with FIN and no packet, which is what "
        "MariaDB 10.11 sends on shutdown (measured); new connections are served"
    )
    produces = LOST
    toxic_type = "mysql_close"
    stream = "downstream"
