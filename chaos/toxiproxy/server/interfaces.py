"""What the parts of one connection see of each other, declared below all of them.

A connection (``connection.py``) owns two sockets, a :class:`~chaos.toxiproxy.server.link.Link`
per direction and, once a protocol toxic comes, a MySQL session (``mysql/session.py``) that the
protocol toxics (``mysql/rule.py``) act through. The layers point one way: link, then session,
then rules, with the connection on top wiring them together. Where a lower part calls a higher
one at run time (a link feeds the session, the session delivers into the links), it does so
through a protocol declared here, so no module imports one above it, not even for type hints.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from chaos.toxiproxy.server.stream import Direction

if TYPE_CHECKING:
    # For the hint only: importing toxics/ runs its __init__, which loads the protocol toxics,
    # and they stand on the session, which stands on this module.
    from chaos.toxiproxy.server.toxics.base import Toxic


class LinkEnd(Protocol):
    """A socket as a link reads or writes it (``connection.Endpoint``)."""

    lost: bool
    transport: Any
    forward: Callable[[bytes], object]
    outgoing: Any  # the link reading this socket
    incoming: Any  # the link writing to it

    def close(self, reset: bool) -> None: ...


class WireFeed(Protocol):
    """The MySQL session as a link feeds it the bytes of its source (``mysql.session``)."""

    def feed(self, direction: Direction, data: bytes) -> None: ...


class LinkOwner(Protocol):
    """The connection as its links see it (``connection.Connection``)."""

    reset: bool  # its sockets close with RST
    done: bool  # both sockets are gone
    wire: WireFeed | None  # set while its links are parsed as MySQL

    def wire_session(self) -> Any: ...
    def reset_sockets(self) -> None: ...


class StageSpec(Protocol):
    """A toxic as a link runs it in a stage (``toxic_collection.ToxicSpec``)."""

    toxicity: float
    attributes: dict[str, Any]  # applied to its instances when it is updated

    def new_toxic(self) -> Toxic: ...


class PacketSink(Protocol):
    """A link as the MySQL session delivers into it what it lets through or injects."""

    def deliver(self, data: bytes) -> None: ...
    def feed_eof(self) -> None: ...
    def hold_eof(self) -> None: ...
    def release_eof(self) -> None: ...


class SessionOwner(Protocol):
    """The connection as its MySQL session sees it."""

    links: tuple[PacketSink, PacketSink] | None
    #: The capability flags the client sent at login (None: not seen yet).
    login_caps: int | None
