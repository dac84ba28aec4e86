"""The fault interface: a named real-world event with ``inject()`` and ``heal()``.

A fault is built for one :class:`FaultTarget` (the server, the proxy in front of it, the network
namespace it runs in: whichever the fault ``needs``). The runner drives it through a cell:

1. ``prepare()``  before the strategy connects (e.g. lower ``wait_timeout``);
2. warm-up operations;
3. ``inject()``   the event happens (it may wait, e.g. idle past a timeout); it returns what it
   did, a :class:`~chaos.fault_effect.FaultEffect`, kept in ``inject_effect``;
4. fault-phase operations, every worker at once, reads beside transfers; a fault that strikes
   mid-transaction does it on the wire (chaos/faults/wire_faults.py), never from inside the
   client's code, so it strikes any client;
5. ``heal()``     the world is repaired (idempotent; safe in ``finally`` and twice); a heal
   that raised leaves the fault injected and is retried, and its failure is raised, never
   swallowed: an unhealed world must not be judged; it returns what it did (a fault that
   strikes during the fault phase counts its strikes here), kept in ``heal_effect``;
6. recovery operations, then the checker;
7. ``close()``    always, also when the cell failed early: heal, then put back every GLOBAL
   variable the fault changed (:meth:`Fault.set_server_global`).
"""

from __future__ import annotations

import enum
import logging
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar

from chaos.errors import FaultError, error_summary
from chaos.fault_effect import NOT_INJECTED, UNKNOWN, FaultEffect
from chaos.faults.client_actions import ClientAction
from chaos.registry import Registry
from chaos.settings import ConnectionSettings

if TYPE_CHECKING:
    from types import TracebackType

log = logging.getLogger(__name__)


class Need(enum.Enum):
    """What a fault needs from the cell's environment; ``reason`` is the line said when unmet."""

    PROCESS = "process"  # control of the server process (stop/kill/freeze)
    PROXY = "proxy"  # a Toxiproxy proxy between client and server
    NETNS = "netns"  # a network namespace with nftables (CAP_NET_ADMIN)
    #: changes GLOBAL server variables: a server the suite owns, or the user's explicit leave
    GLOBALS = "globals"
    #: a second disposable server with the same accounts, empty, that the endpoint can be
    #: pointed at (a failover's new writer); it starts with the cell's server
    STANDBY = "standby"
    #: a GTID replica of the cell's server that reads may be sent to (MariaDB's replication);
    #: both servers start together
    REPLICA = "replica"

    @property
    def reason(self) -> str:
        """Why a fault with this need cannot run where it is unmet: stated here, once."""
        return _UNMET[self]


@dataclass
class FaultTarget:
    """The environment a fault acts on. Fields a fault does not need may be ``None``."""

    server: Any  # chaos.servers.base.MySQLServer
    client_settings: ConnectionSettings  # where the strategy connects (proxy or server)
    admin_settings: ConnectionSettings  # direct to the server, for the checker and admin verbs
    proxy: Any = None  # chaos.toxiproxy.client.ProxyHandle
    namespace: Any = None  # chaos.netns.namespace.NetworkNamespace
    #: The user allowed GLOBAL variable changes on a server the suite does not own.
    allow_global_changes: bool = False
    #: What the judged work (a transfer) looks like on the wire, as the workload states it (an
    #: RE2 pattern for one of its statements); empty: any work that writes. Faults that strike
    #: one transaction strike only one that matched it; no fault knows the workload's tables.
    transfer_signature: str = ""
    #: A second server (``Need.STANDBY``): empty, same accounts as ``server``. A fault that
    #: points the endpoint at it swaps it with ``server`` and ``admin_settings``, so whoever
    #: judges the world afterwards reads the server the endpoint now leads to.
    standby: Any = None
    #: The server's replica (``Need.REPLICA``): a LocalServer applying the server's binary log.
    replica: Any = None

    @property
    def read_settings(self) -> ConnectionSettings | None:
        """Where the client reads on the replica (its account and options, the replica's
        address); None without a replica."""
        if self.replica is None:
            return None
        address = self.replica.settings
        return replace(self.client_settings, host=address.host, port=address.port)

    @property
    def may_change_globals(self) -> bool:
        return bool(getattr(self.server, "controls_process", False) or self.allow_global_changes)


class _SharedGlobals:
    """The original value of each GLOBAL variable changed on a server, until the last user is done.

    Parallel cells on one external server change the same global: the first one to change it
    saves the original, the last one to finish puts it back. Without this a second cell would
    save the first one's value (``wait_timeout=1``) as "original" and restore that for good.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, int, str], list[Any]] = {}  # key -> [original, users]

    def change(self, server: Any, name: str, value: int | str) -> tuple[str, int, str]:
        key = _server_key(server, name)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                entry = [_as_sql_value(server.get_global(name)), 0]
                self._entries[key] = entry
            server.set_global(name, value)
            entry[1] += 1
        return key

    def release(self, server: Any, key: tuple[str, int, str]) -> None:
        with self._lock:
            entry = self._entries[key]
            if entry[1] == 1:
                server.set_global(key[2], entry[0])  # raises: the caller keeps its claim
                del self._entries[key]
            else:
                entry[1] -= 1


def _as_sql_value(text: str) -> int | str:
    # get_global() answers text; numeric variables refuse a string in SET GLOBAL (1232).
    return int(text) if text.lstrip("-").isdigit() else text


def _server_key(server: Any, name: str) -> tuple[str, int, str]:
    settings = server.settings
    return (settings.host, settings.port, name)


_shared_globals = _SharedGlobals()


class Fault(ABC):
    """Base class of every fault. Subclasses register themselves with :func:`register_fault`.

    Everything the suite knows about a fault is stated on its class: no table elsewhere is
    keyed by its name, so a new fault is one module (plus its rows of expected verdicts).
    """

    name: ClassVar[str] = ""
    #: The real-world event, one line.
    description: ClassVar[str] = ""
    #: How it is produced here, one line.
    mechanism: ClassVar[str] = ""
    needs: ClassVar[frozenset[Need]] = frozenset()
    #: The exception (repr) an existing pymysql connection gets from this fault, as measured
    #: against MariaDB 10.11 with PyMySQL 1.2 and pinned by tests/repro: what a plain client
    #: must handle, not a promise about every client (README, "produces").
    produces: ClassVar[str] = ""
    #: Where a server flavour (``mysql``) gives another exception than ``produces``: that
    #: flavour's, as measured against it (:meth:`produces_on`).
    produces_by_flavour: ClassVar[Mapping[str, str]] = MappingProxyType({})
    #: Operations attempted, one at a time, between inject() and heal().
    fault_phase_operations: ClassVar[int] = 2
    #: Seconds from the fault phase's start to each worker's next operation there, at least
    #: (0: back to back): a fault that waits for the client's own schedule (a connection
    #: replaced on a timer) spaces them past it.
    fault_phase_spacing: ClassVar[float] = 0.0
    #: How often a heal is tried before its failure is reported, and the pause between tries.
    heal_attempts: ClassVar[int] = 3
    heal_retry_pause: ClassVar[float] = 0.2
    #: What ``repro``'s plain pymysql connection does after inject() to show the error (None:
    #: the fault has no reproduction, and ``repro`` reports that as a failure).
    repro_action: ClassVar[ClientAction | None] = None
    #: Its cells take longest: a matrix starts them first, so they do not finish the run alone.
    slow: ClassVar[bool] = False
    #: In the app matrix's default set (``--all-faults`` runs every fault app mode can run).
    app_mode_default: ClassVar[bool] = False
    #: Why app mode cannot run it, measured (None: it can).
    not_in_app_mode: ClassVar[str | None] = None
    #: It strikes only connections at rest, between transactions (an idle timeout, a flow a
    #: middlebox forgot, a KILL of idle sessions): a client that checks a connection before
    #: using it loses no operation, so each one failed during the fault is judged.
    strikes_between_transactions: ClassVar[bool] = False
    #: How long the client's connections rest before the event (inject() waits this first).
    #: Such a fault strikes connections at rest, not the instant the warm-up ended: older than
    #: the scaled recycle interval (0.125 s) by a margin no load erases, so a pool replacing
    #: connections by age has always replaced them, and younger than the scaled idle timeout
    #: (1 s), so a pool that waits for that has never: the verdict does not hang on how fast
    #: the warm-up ran.
    rest_seconds: ClassVar[float] = 0.0
    #: Run only when named (``--fault``), never as part of the whole catalogue: a fault that
    #: judges only a kind of client most strategies are not (one that splits reads), whose
    #: cells would add nothing but "unexercised" to every default run.
    only_when_named: ClassVar[bool] = False

    @classmethod
    def produces_on(cls, flavour: str) -> str:
        """The exception (repr) a pymysql connection gets from this fault on ``flavour``."""
        return cls.produces_by_flavour.get(flavour, cls.produces)

    def __init__(self, target: FaultTarget) -> None:
        self.target = target
        self.injected = False
        #: What the last inject() and heal() did (None until each has run).
        self.inject_effect: FaultEffect | None = None
        self.heal_effect: FaultEffect | None = None
        self._changed_globals: list[tuple[str, int, str]] = []

    def prepare(self) -> None:  # noqa: B027 - optional hook
        """Configure the world before the strategy first connects."""

    @abstractmethod
    def _inject(self) -> FaultEffect | None:
        """Make the event happen; return what it did (None: the fault does not say)."""

    @abstractmethod
    def _heal(self) -> FaultEffect | None:
        """Repair the world; return what it did (None: the fault does not say)."""

    def inject(self) -> FaultEffect:
        """The event happens; a second call does nothing and returns the first one's effect."""
        if self.injected:
            return self.inject_effect or UNKNOWN
        log.info("inject %s", self.name)
        self.injected = True
        if self.rest_seconds > 0:
            time.sleep(self.rest_seconds)
        self.inject_effect = self._inject() or UNKNOWN
        return self.inject_effect

    def heal(self) -> FaultEffect:
        """Repair the world; ``injected`` stays True until ``_heal()`` has succeeded.

        Raises :class:`FaultError` naming the fault when every attempt failed. A call when
        nothing is injected returns the last heal's effect (or that nothing was injected).
        """
        if not self.injected:
            return self.heal_effect or NOT_INJECTED
        log.info("heal %s", self.name)
        for attempt in range(1, self.heal_attempts + 1):
            try:
                effect = self._heal()
            except Exception as e:
                log.warning(
                    "heal %s failed (attempt %d/%d): %s", self.name, attempt, self.heal_attempts, e
                )
                if attempt == self.heal_attempts:
                    raise FaultError(
                        f"{self.name}: heal failed after {attempt} attempts: {error_summary(e)}"
                    ) from e
                time.sleep(self.heal_retry_pause)
            else:
                self.injected = False
                self.heal_effect = effect or UNKNOWN
                return self.heal_effect
        raise FaultError(f"{self.name}: heal_attempts is {self.heal_attempts}, not at least 1")

    def close(self) -> None:
        """Heal, then restore every GLOBAL variable this fault changed (also when heal failed)."""
        try:
            self.heal()
        finally:
            self.restore_globals()

    def set_server_global(self, name: str, value: int | str) -> None:
        """``SET GLOBAL`` on the target's server, remembered so :meth:`close` puts it back."""
        if not self.target.may_change_globals:
            raise FaultError(
                f"{self.name}: refusing to change GLOBAL {name} on "
                f"{self.target.server.describe()}, a server the suite does not own"
            )
        self._changed_globals.append(_shared_globals.change(self.target.server, name, value))

    def restore_globals(self) -> None:
        """Put back the GLOBAL variables this fault changed; idempotent."""
        failures = []
        while self._changed_globals:
            key = self._changed_globals[-1]
            try:
                _shared_globals.release(self.target.server, key)
            except Exception as e:
                failures.append(f"{key[2]}: {error_summary(e)}")
                log.warning("%s: could not restore GLOBAL %s: %s", self.name, key[2], e)
            self._changed_globals.pop()
        if failures:
            raise FaultError(f"{self.name}: could not restore " + "; ".join(failures))

    @classmethod
    def unmet_need(cls, target: FaultTarget) -> str | None:
        """Why this fault cannot run against ``target``, or ``None`` when it can."""
        needs = cls.needs
        if Need.PROCESS in needs and not getattr(target.server, "controls_process", False):
            return Need.PROCESS.reason
        if Need.PROXY in needs and target.proxy is None:
            return Need.PROXY.reason
        if Need.NETNS in needs and target.namespace is None:
            return Need.NETNS.reason
        if Need.GLOBALS in needs and not target.may_change_globals:
            return Need.GLOBALS.reason
        if Need.STANDBY in needs and target.standby is None:
            return Need.STANDBY.reason
        if Need.REPLICA in needs and target.replica is None:
            return Need.REPLICA.reason
        return None

    def __enter__(self) -> Fault:
        self.inject()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


#: Why a fault that changes GLOBAL variables skips on a server the suite does not own.
GLOBALS_REFUSED = (
    "changes GLOBAL server variables, on a server the suite does not own "
    "(allow it with --allow-global-changes)"
)

_UNMET = {
    Need.PROCESS: "needs a server whose process the suite owns (not an external server)",
    Need.PROXY: "needs a Toxiproxy server, and none is available",
    Need.NETNS: "needs a network namespace (CAP_NET_ADMIN)",
    Need.GLOBALS: GLOBALS_REFUSED,
    Need.STANDBY: "needs a second disposable server to fail over to (not an external server)",
    Need.REPLICA: (
        "needs a disposable local MariaDB server and its GTID replica (not an external server "
        "or a container)"
    ),
}


FAULTS: Registry[type[Fault]] = Registry("fault")


def register_fault(cls: type[Fault]) -> type[Fault]:
    """Class decorator: add ``cls`` to :data:`FAULTS` under ``cls.name``."""
    FAULTS.add(cls.name, cls)
    return cls


def select_faults(names: list[str] | tuple[str, ...] | None) -> list[str]:
    """The faults named (checked, in the catalogue's order), else the whole catalogue less the
    faults that run only when named (:attr:`Fault.only_when_named`)."""
    if names:
        return FAULTS.select(names)
    return [name for name, fault in FAULTS.items() if not fault.only_when_named]
