"""The toxic interface: one async ``pipe`` per toxic, run on a :class:`ToxicStub` per link.

Contract (Toxiproxy's): a toxic moves chunks from ``stub.receive()`` to ``stub.send()`` until end
of stream, then calls ``stub.close()``. An interruption (the toxic is updated or removed, the link
is torn down) arrives as ``asyncio.CancelledError`` at whichever ``await`` the toxic is in; a toxic
holding bytes at that moment passes them on (or ``requeue``s them) before re-raising, so no
in-flight byte is dropped unless dropping is the toxic's point.

Attributes are the dataclass's init fields (integers, as Toxiproxy's Go fields are); per-link state
is ``field(init=False)``: every link gets its own instance.

Extension: a toxic that ``counts_strikes`` counts what it did to the traffic (a link reset, a
chunk delayed, a statement struck) in ``shared``, one dict its instances on every link share;
the API shows the total as the toxic's read-only ``strikes``, beside its attributes. A real
Toxiproxy has no such key: a reader finds none there and knows nothing of the strikes.
"""

from __future__ import annotations

import asyncio
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, Protocol

from chaos.registry import Registry
from chaos.toxiproxy.server.stream import Chunk, ChunkQueue, ChunkSink

# One timer covers at most a day; longer waits re-arm, so absurd attribute values stay harmless
# (event loops overflow on timers of centuries).
MAX_TIMER_SECONDS = 86400.0
# uvloop's timers have millisecond resolution (a delay is rounded to whole ms): the last stretch
# before a deadline, under half of that, is waited out turn by turn of the loop instead.
TIMER_SLACK_SECONDS = 0.0005


class LinkControl(Protocol):
    """What a stub may ask of the link it sits in."""

    def reset_connection(self) -> None: ...
    def wire_session(self) -> Any: ...


class Expired:
    """Returned by :meth:`ToxicStub.receive_before` when the deadline passed first."""


EXPIRED = Expired()


class ToxicStub:
    """One toxic's seat in one link (upstream's ``ToxicStub``): its input, output and link."""

    __slots__ = ("_link", "closed", "input", "output", "uninterruptible")

    def __init__(self, input: ChunkQueue, output: ChunkSink, link: LinkControl) -> None:
        self.input = input
        self.output = output  # rewired by the link when a neighbouring toxic is removed
        self._link = link
        self.closed = False
        # Set by a toxic in a wait upstream does not let an interrupt cut short (reset_peer's
        # timer): an update or removal then waits for the toxic to finish. Teardown still cancels.
        self.uninterruptible = False

    async def receive(self) -> Chunk | None:
        """The next chunk, or ``None`` at end of stream."""
        return await self.input.get()

    async def receive_before(self, deadline: float) -> Chunk | Expired | None:
        """Like :meth:`receive`, or :data:`EXPIRED` once :meth:`now` reaches ``deadline``."""
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                async with asyncio.timeout(min(remaining, MAX_TIMER_SECONDS)):
                    return await self.input.get()
            except TimeoutError:
                continue
        return EXPIRED

    def send(self, item: Chunk | None) -> None:
        self.output.put(item)

    def requeue(self, item: Chunk | None) -> None:
        """Give back an item taken but not handled, to be received again first."""
        self.input.push_front(item)

    def close(self) -> None:
        """End the stream here: later input is discarded and end of stream moves on."""
        if self.closed:
            return
        self.closed = True
        self.input.close()
        self.output.put(None)

    def reset_connection(self) -> None:
        """Make this connection's sockets close with a TCP RST (SO_LINGER 0) instead of a FIN."""
        self._link.reset_connection()

    def wire_session(self) -> Any:
        """The connection's MySQL protocol view (``mysql.session.WireSession``), made on demand."""
        return self._link.wire_session()

    @staticmethod
    def now() -> float:
        """The clock of chunk timestamps (``time.monotonic``: uvloop's loop clock is in ms)."""
        return time.monotonic()

    async def sleep_until(self, deadline: float) -> None:
        while (remaining := deadline - time.monotonic()) > TIMER_SLACK_SECONDS:
            await asyncio.sleep(min(remaining - TIMER_SLACK_SECONDS, MAX_TIMER_SECONDS))
        while time.monotonic() < deadline:
            await asyncio.sleep(0)

    async def sleep(self, seconds: float) -> None:
        """Sleep ``seconds``, and at least one loop turn (Go's ``time.After(0)`` yields too)."""
        deadline = time.monotonic() + seconds
        await asyncio.sleep(0)
        await self.sleep_until(deadline)

    async def hold(self) -> None:
        """Wait until interrupted."""
        await asyncio.get_running_loop().create_future()


@dataclass
class Toxic(ABC):
    """Base of every toxic; subclasses are dataclasses registered in :data:`TOXICS`."""

    #: Links on which this toxic is present when they open close with RST (upstream's link.go
    #: sets SO_LINGER 0 for ``reset_peer``).
    resets_connection: ClassVar[bool] = False
    #: Attributes a real Toxiproxy does not have: the API shows them only when set (non-zero).
    extension_attributes: ClassVar[frozenset[str]] = frozenset()
    #: Protocol toxics make the links of their proxy be parsed as MySQL (``mysql/``).
    protocol: ClassVar[bool] = False
    #: Attributes that are not integers, by Go type name ("string"); the rest are int64.
    attribute_kinds: ClassVar[dict[str, str]] = {}
    #: The API shows ``strikes``, counted by :meth:`strike` (an extension; see above).
    counts_strikes: ClassVar[bool] = False
    #: Shared by the instances of one toxic on every link (set by its spec).
    shared: dict[str, Any] = field(default_factory=dict, init=False, repr=False)

    @abstractmethod
    async def pipe(self, stub: ToxicStub) -> None: ...

    @property
    def strikes(self) -> int:
        """How often this toxic struck, over every link of its proxy (read-only)."""
        return int(self.shared.get("strikes", 0))

    def strike(self, times: int = 1) -> None:
        self.shared["strikes"] = self.strikes + times

    def started(self) -> None:  # noqa: B027 - optional hook
        """Called once on each link that opens while the toxic is present, before any byte
        flows; never on a live link the toxic is added to (an extension: upstream has no such
        hook). A toxic that acts on a connection's start (its login) knows its link from it."""

    def cleanup(self, stub: ToxicStub) -> None:  # noqa: B027 - optional hook
        """Called on each link just before the toxic is removed (upstream's ``CleanupToxic``)."""

    @classmethod  # noqa: B027 - optional hook
    def check_attributes(cls, attributes: dict[str, Any]) -> None:
        """Refuse values the toxic cannot run with (a ``ValueError`` saying why): the API
        answers 400 when the toxic is created or updated, instead of a toxic that misbehaves."""

    @classmethod
    def refuses_link(cls, attributes: dict[str, Any], shared: dict[str, Any]) -> bool:
        """Whether a link opening now is closed at once (decided before any byte flows)."""
        return False

    @classmethod
    def attribute_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls) if f.init)

    def attributes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.attribute_names()}

    def set_attributes(self, attributes: dict[str, Any]) -> None:
        for name, value in attributes.items():
            setattr(self, name, value)


TOXICS: Registry[type[Toxic]] = Registry("toxic type")
