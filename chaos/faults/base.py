"""The fault interface: a named real-world event with ``inject()`` and ``heal()``.

A fault is built for one :class:`FaultTarget` (the server, the proxy in front of it, the network
namespace it runs in: whichever the fault ``needs``). The runner drives it through a cell:

1. ``prepare()``  before the strategy connects (e.g. lower ``wait_timeout``);
2. warm-up operations;
3. ``inject()``   the event happens (it may wait, e.g. idle past a timeout);
4. fault-phase operations, one at a time; each unit of work calls ``checkpoint(point)`` at
   :class:`Checkpoint` boundaries so a fault can strike between statements or around COMMIT;
5. ``heal()``     the world is repaired (idempotent; safe in ``finally`` and twice);
6. recovery operations, then the checker.
"""

from __future__ import annotations

import enum
import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from chaos.registry import Registry
from chaos.settings import ConnectionSettings

if TYPE_CHECKING:
    from types import TracebackType

log = logging.getLogger(__name__)


class Need(enum.Enum):
    """What a fault needs from the cell's environment."""

    PROCESS = "process"  # control of the server process (stop/kill/freeze)
    PROXY = "proxy"  # a Toxiproxy proxy between client and server
    NETNS = "netns"  # a network namespace with nftables (CAP_NET_ADMIN)


class Checkpoint(enum.Enum):
    """Points inside a unit of work where a fault may strike."""

    BETWEEN_STATEMENTS = "between-statements"  # after the debit, before the credit
    BEFORE_COMMIT = "before-commit"  # all statements done; the strategy commits next


@dataclass
class FaultTarget:
    """The environment a fault acts on. Fields a fault does not need may be ``None``."""

    server: Any  # chaos.servers.base.MySQLServer
    client_settings: ConnectionSettings  # where the strategy connects (proxy or server)
    admin_settings: ConnectionSettings  # direct to the server, for the checker and admin verbs
    proxy: Any = None  # chaos.toxiproxy.client.ProxyHandle
    namespace: Any = None  # chaos.netns.namespace.NetworkNamespace


class Fault(ABC):
    """Base class of every fault. Subclasses register themselves with :func:`register_fault`."""

    name: ClassVar[str] = ""
    #: The real-world event, one line.
    description: ClassVar[str] = ""
    #: How it is produced here, one line.
    mechanism: ClassVar[str] = ""
    needs: ClassVar[frozenset[Need]] = frozenset()
    #: The exception (repr) an existing pymysql connection gets from this fault, as measured
    #: against MariaDB 10.11 with PyMySQL 1.2; empty where it was not pinned by a test.
    produces: ClassVar[str] = ""
    #: Operations attempted, one at a time, between inject() and heal().
    fault_phase_operations: ClassVar[int] = 2

    def __init__(self, target: FaultTarget) -> None:
        self.target = target
        self.injected = False

    def prepare(self) -> None:  # noqa: B027 - optional hook
        """Configure the world before the strategy first connects."""

    @abstractmethod
    def _inject(self) -> None: ...

    @abstractmethod
    def _heal(self) -> None: ...

    def inject(self) -> None:
        if self.injected:
            return
        log.info("inject %s", self.name)
        self.injected = True
        self._inject()

    def heal(self) -> None:
        if not self.injected:
            return
        log.info("heal %s", self.name)
        self.injected = False
        self._heal()

    def checkpoint(self, point: Checkpoint, op_id: str) -> None:  # noqa: B027 - optional hook
        """Called from inside a unit of work; faults that strike mid-transaction override it."""

    @classmethod
    def unmet_need(cls, target: FaultTarget) -> str | None:
        """Why this fault cannot run against ``target``, or ``None`` when it can."""
        if Need.PROCESS in cls.needs and not getattr(target.server, "controls_process", False):
            return "needs a server whose process the suite owns (not an external server)"
        if Need.PROXY in cls.needs and target.proxy is None:
            return "needs a Toxiproxy proxy in front of the server"
        if Need.NETNS in cls.needs and target.namespace is None:
            return "needs a network namespace (CAP_NET_ADMIN)"
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
        self.heal()


FAULTS: Registry[type[Fault]] = Registry("fault")


def register_fault(cls: type[Fault]) -> type[Fault]:
    """Class decorator: add ``cls`` to :data:`FAULTS` under ``cls.name``."""
    FAULTS.add(cls.name, cls)
    return cls
