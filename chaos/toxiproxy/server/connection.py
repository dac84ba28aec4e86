"""One client connection: its two sockets and a link per direction between them.

The client socket is accepted paused; the upstream socket is dialled for it; then the two
:class:`~chaos.toxiproxy.server.link.Link` objects start with the proxy's toxics of the moment.
The connection is over when both sockets are gone, and then nothing of it is left running.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import struct
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from chaos.toxiproxy.server.link import DESTINATION_FULL, Link, discard
from chaos.toxiproxy.server.mysql.session import WireSession
from chaos.toxiproxy.server.stream import Direction

if TYPE_CHECKING:
    from chaos.toxiproxy.server.toxic_collection import ToxicCollection

log = logging.getLogger(__name__)

_LINGER_ZERO = struct.pack("ii", 1, 0)
#: A packet header and the 4-byte capability flags that open the client's first packet.
_LOGIN_HEAD = 8


class ConnectionOwner(Protocol):
    """What a connection needs from its proxy (see ``proxy.Proxy``)."""

    name: str
    upstream_address: tuple[str, int] | None
    toxics: ToxicCollection

    def connection_opened(self, connection: Connection) -> bool: ...
    def connection_closed(self, connection: Connection) -> None: ...


class Endpoint(asyncio.Protocol):
    """One socket of a connection; its bytes go to ``forward``."""

    __slots__ = (
        "connection",
        "forward",
        "incoming",
        "lost",
        "outgoing",
        "received",
        "sniff",
        "transport",
    )

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.transport: Any = None
        self.forward: Callable[[bytes], object] = discard
        self.outgoing: Link | None = None  # the link reading this socket
        self.incoming: Link | None = None  # the link writing to it
        self.lost = False
        self.received = [0]  # bytes read from this socket; a cell its proxy's metrics share
        self.sniff: Callable[[bytes], None] | None = None  # sees the first bytes, then unset

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport
        self.connection.endpoint_made(self)

    def data_received(self, data: bytes) -> None:
        self.received[0] += len(data)
        if self.sniff is not None:
            self.sniff(data)
        self.forward(data)

    def eof_received(self) -> bool:
        if self.outgoing is not None:
            self.outgoing.feed_eof()
        else:
            self.connection.early_eof = True
        return True  # the link closes the socket once the other direction is done with it

    def connection_lost(self, exc: Exception | None) -> None:
        if self.lost:  # also called by the connection for a transport that never will
            return
        self.lost = True
        self.forward = discard
        self.connection.endpoint_lost(self)

    def pause_writing(self) -> None:
        if self.incoming is not None:
            self.incoming.pause_source(DESTINATION_FULL)

    def resume_writing(self) -> None:
        if self.incoming is not None:
            self.incoming.resume_source(DESTINATION_FULL)

    def set_linger_zero(self) -> None:
        if self.transport is not None and not self.lost:
            sock = self.transport.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_ZERO)

    def close(self, reset: bool) -> None:
        if self.lost or self.transport is None or self.transport.is_closing():
            return
        if reset:
            self.transport.abort()  # SO_LINGER 0 is set: the kernel sends RST
        else:
            self.transport.close()  # written bytes flush first, then FIN


class Connection:
    """A client socket, the upstream socket dialled for it, and the two links between them."""

    def __init__(self, owner: ConnectionOwner) -> None:
        self.owner = owner
        self.client = Endpoint(self)
        self.server = Endpoint(self)
        self.links: tuple[Link, Link] | None = None
        self.dial: asyncio.Task[None] | None = None
        self.reset = False
        self.done = False
        self._closed: asyncio.Future[None] | None = None
        self._early: list[bytes] = []
        self.early_eof = False  # the client ended its stream before the upstream socket was up
        counters = getattr(owner, "received_bytes", None)  # /metrics, one cell per direction
        if counters is not None:
            self.client.received = counters[Direction.UPSTREAM]
            self.server.received = counters[Direction.DOWNSTREAM]
        self.wire: WireSession | None = None  # set while the links are parsed as MySQL
        #: The capability flags of the client's first packet (its login, or its TLS request),
        #: read on every connection: a protocol toxic that comes later, onto the live link,
        #: must know whether what follows is TLS or compressed, which it cannot parse.
        self.login_caps: int | None = None
        self._login_head = b""
        self.client.sniff = self._sniff_login

    def _sniff_login(self, data: bytes) -> None:
        # The client speaks second (after the server's greeting): its first packet's header (4
        # bytes) and capability flags (4 bytes) are all that is needed.
        self._login_head += data[: _LOGIN_HEAD - len(self._login_head)]
        if len(self._login_head) == _LOGIN_HEAD:
            self.login_caps = int.from_bytes(self._login_head[4:], "little")
            self.client.sniff = None

    def wire_session(self) -> WireSession:
        """Parse this connection's links as MySQL from now on (a protocol toxic came)."""
        if self.wire is None:
            self.wire = WireSession(self, live=self.links is not None)
            for link in self.links or ():
                link.dest_lost()  # re-route its source through the session
        return self.wire

    def endpoint_made(self, endpoint: Endpoint) -> None:
        if endpoint is self.client:
            # The client is not read until the upstream socket is there to take its bytes. uvloop
            # starts reading right after connection_made() whatever it did, so the pause is
            # queued, and bytes read before it lands are kept until the links start.
            endpoint.forward = self._early.append
            if not self.owner.connection_opened(self):
                self.done = True
                endpoint.transport.abort()
                return
            loop = asyncio.get_running_loop()
            loop.call_soon(self._pause_client)
            self.dial = loop.create_task(self._dial())
            # A callback, not a finally in _dial: a task cancelled before its first step never
            # runs its body, and the connection would wait for that dial forever.
            self.dial.add_done_callback(self._dial_done)
        elif self.client.lost or self.done:
            endpoint.transport.abort()
            endpoint.connection_lost(None)  # a dial cancelled meanwhile may never report it
        else:
            self._start_links()

    def _pause_client(self) -> None:
        if self.links is None and not self.client.lost:
            self.client.transport.pause_reading()

    async def _dial(self) -> None:
        address = self.owner.upstream_address
        try:
            if address is None:
                raise OSError("upstream is not a host:port address")
            loop = asyncio.get_running_loop()
            await loop.create_connection(lambda: self.server, *address)
        except asyncio.CancelledError:
            # uvloop closes the transport of a cancelled create_connection without calling
            # connection_lost, even after connection_made: the socket is gone all the same.
            if self.server.transport is not None:
                self.server.transport.abort()
                self.server.connection_lost(None)
            raise
        except OSError as e:
            log.warning("proxy %s: cannot connect to upstream: %s", self.owner.name, e)
            self.client.close(reset=False)

    def _dial_done(self, task: asyncio.Task[None]) -> None:
        if self.dial is task:
            self.dial = None
        self._check_done()

    def _start_links(self) -> None:
        upstream_specs, downstream_specs = self.owner.toxics.chains()
        if any(spec.resets_connection for spec in (*upstream_specs, *downstream_specs)):
            self.reset_sockets()
        if any(spec.toxic_class.protocol for spec in (*upstream_specs, *downstream_specs)):
            self.wire = WireSession(self, live=False)  # parsed from the server's greeting on
        up = Link(self, Direction.UPSTREAM, self.client, self.server)
        down = Link(self, Direction.DOWNSTREAM, self.server, self.client)
        self.links = (up, down)
        self.owner.toxics.link_opened(up)
        self.owner.toxics.link_opened(down)
        up.start(upstream_specs)
        down.start(downstream_specs)
        early, self._early = self._early, []
        for data in early:
            self.client.forward(data)
        if self.early_eof:
            up.feed_eof()
        specs = (*upstream_specs, *downstream_specs)
        if self.wire is not None and any(
            spec.toxic_class.refuses_link(spec.attributes, spec.shared) for spec in specs
        ):
            self.wire.cut_link("refused: the proxy acts down")
        if not self.client.lost:
            self.client.transport.resume_reading()

    def reset_sockets(self) -> None:
        """From now on both sockets close with RST."""
        self.reset = True
        self.client.set_linger_zero()
        self.server.set_linger_zero()

    def endpoint_lost(self, endpoint: Endpoint) -> None:
        if endpoint.outgoing is not None:
            endpoint.outgoing.feed_eof()
        if endpoint.incoming is not None:
            endpoint.incoming.dest_lost()
        if endpoint is self.client and self.dial is not None:
            self.dial.cancel()
        self._check_done()

    def _check_done(self) -> None:
        if self.done or not self.client.lost or self.dial is not None:
            return
        if self.server.transport is not None and not self.server.lost:
            return
        self.done = True
        self.cancel()
        self.owner.connection_closed(self)
        if self._closed is not None and not self._closed.done():
            self._closed.set_result(None)

    async def wait_closed(self) -> None:
        """Until both sockets are closed: the kernel has sent their FIN (or RST) by then."""
        if self.done:
            return
        if self._closed is None:
            self._closed = asyncio.get_running_loop().create_future()
        await self._closed

    def cancel(self) -> list[asyncio.Task[None]]:
        tasks: list[asyncio.Task[None]] = []
        if self.dial is not None and not self.dial.done():
            self.dial.cancel()
            tasks.append(self.dial)
        for link in self.links or ():
            tasks.extend(link.cancel())
        return tasks

    def abort(self) -> list[asyncio.Task[None]]:
        """Drop both sockets now (proxy disabled or deleted); returns tasks to wait for."""
        for endpoint in (self.client, self.server):
            if endpoint.transport is not None and not endpoint.lost:
                endpoint.transport.abort()
        return self.cancel()
