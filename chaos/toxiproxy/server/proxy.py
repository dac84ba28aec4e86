"""A proxy: a listening socket, the connections it accepted, and its toxics (upstream's proxy.go).

Disabling a proxy stops listening and drops every live connection; enabling it again listens on the
same address (the port it bound first, when it was asked for port 0).

Extension: the proxy's JSON has ``links_closed``, read-only, the number of client connections it
closed because it was disabled (or moved to another address), since it was created. A real
Toxiproxy has no such key: a fault that finds none knows nothing of what a disable struck.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from chaos.toxiproxy.server import address, errors
from chaos.toxiproxy.server.connection import Connection
from chaos.toxiproxy.server.toxic_collection import ToxicCollection

log = logging.getLogger(__name__)


def listen_not_allowed(error: address.ListenNotAllowed) -> errors.ApiError:
    return errors.LISTEN_NOT_ALLOWED(
        f"{error} (only toxiproxy-server --allow-any-listen takes such an address)"
    )


class Proxy:
    """``allow_any_listen`` lifts the loopback-only, unprivileged-port rule (``address``);
    ``server_toxics`` counts the toxics of the whole server, for its bound (``limits``)."""

    def __init__(
        self,
        name: str,
        listen: str,
        upstream: str,
        *,
        allow_any_listen: bool = False,
        server_toxics: Callable[[], int] | None = None,
    ) -> None:
        self.name = name
        self.listen = listen
        self.upstream = upstream
        self.upstream_address = address.dial_address(upstream)
        self.enabled = False
        self.allow_any_listen = allow_any_listen
        self.toxics = ToxicCollection(server_toxics)
        self.connections: set[Connection] = set()
        self.links_closed = 0
        self._server: asyncio.AbstractServer | None = None
        self._lock = asyncio.Lock()

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "listen": self.listen,
            "upstream": self.upstream,
            "enabled": self.enabled,
            "toxics": [spec.to_json() for spec in self.toxics.toxics()],
            "links_closed": self.links_closed,
        }

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self) -> bool:
        """Listen; False if already listening. Raises ApiError 500 when the address is bad."""
        async with self._lock:
            if self.enabled:
                return False
            await self._start()
            return True

    async def stop(self) -> None:
        async with self._lock:
            await self._stop()

    async def differs(self, listen: str, upstream: str) -> bool:
        """Whether ``listen``/``upstream`` name another address than this proxy's (Go's Differs)."""
        try:
            resolved = await address.canonical(listen)
        except address.AddressError as e:
            raise errors.internal_error(str(e)) from None
        return resolved != self.listen or upstream != self.upstream

    async def update(self, listen: str, upstream: str, enabled: bool) -> None:
        """Upstream's Proxy.Update: a new address restarts it; ``enabled`` starts or stops it."""
        async with self._lock:
            if await self.differs(listen, upstream):
                await self._stop()
                self.listen = listen
                self.upstream = upstream
                self.upstream_address = address.dial_address(upstream)
            if enabled != self.enabled:
                if enabled:
                    await self._start()
                else:
                    await self._stop()

    async def _start(self) -> None:
        try:
            sock = await address.bind_listener(self.listen, self.allow_any_listen)
        except address.ListenNotAllowed as e:
            raise listen_not_allowed(e) from None
        except address.AddressError as e:
            raise errors.internal_error(str(e)) from None
        self.listen = address.socket_address(sock)
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: Connection(self).client, sock=sock, backlog=address.LISTEN_BACKLOG
        )
        self.enabled = True
        log.info("proxy %s listening on %s, upstream %s", self.name, self.listen, self.upstream)

    async def _stop(self) -> None:
        if not self.enabled:
            return
        self.enabled = False
        server, self._server = self._server, None
        if server is not None:
            server.close()
        connections = list(self.connections)
        self.links_closed += len(connections)
        tasks = [task for connection in connections for task in connection.abort()]
        # Upstream's Close() is synchronous: the API answers after every FIN has gone out. A
        # transport closes its socket later, and a client that sends meanwhile gets RST.
        waits = tasks + [asyncio.ensure_future(c.wait_closed()) for c in connections]
        if waits:
            await asyncio.wait(waits)
        if server is not None:
            await server.wait_closed()
        log.info("proxy %s stopped", self.name)

    # -- what connections ask of their proxy (link.ConnectionOwner) ----------------------------

    def connection_opened(self, connection: Connection) -> bool:
        if not self.enabled:
            return False
        self.connections.add(connection)
        return True

    def connection_closed(self, connection: Connection) -> None:
        self.connections.discard(connection)
        for link in connection.links or ():
            self.toxics.link_closed(link)
