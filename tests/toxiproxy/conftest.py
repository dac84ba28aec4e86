"""Fixtures for the Toxiproxy conformance suite.

Every test runs against the plugin's ``mysql_chaos_toxiproxy``: whatever ``--toxiproxy-url`` or
``TOXIPROXY_URL`` points at (the real Toxiproxy) or, when neither is set, the embedded server in
process mode (out of this process, as the real one is).
Tests of behaviour where the embedded server knowingly differs from upstream, or that inspect its
internals, ask for the ``embedded`` fixture and are skipped against a real Toxiproxy.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any

import pytest
import requests

from chaos.settings import ConnectionSettings
from chaos.toxiproxy import EmbeddedToxiproxy, ProxyHandle, ToxiproxyClient

PROXY_PREFIX = "chaos_test_"
WAIT_SECONDS = 5.0


@pytest.fixture
def toxiproxy(mysql_chaos_toxiproxy: ToxiproxyClient) -> Iterator[ToxiproxyClient]:
    """The plugin's Toxiproxy; every proxy named with PROXY_PREFIX is deleted after the test."""
    yield mysql_chaos_toxiproxy
    for name in mysql_chaos_toxiproxy.proxies():
        if name.startswith(PROXY_PREFIX):
            mysql_chaos_toxiproxy.delete_proxy(name)


@pytest.fixture
def embedded(mysql_chaos_embedded_toxiproxy: EmbeddedToxiproxy | None) -> EmbeddedToxiproxy:
    if mysql_chaos_embedded_toxiproxy is None:
        pytest.skip("checks the embedded server (TOXIPROXY_URL points at another one)")
    return mysql_chaos_embedded_toxiproxy


_names = itertools.count(1)


@pytest.fixture
def proxy_name() -> Callable[[], str]:
    return lambda: f"{PROXY_PREFIX}{os.getpid()}_{next(_names)}"


class Api:
    """Raw HTTP against the server, for status codes and bodies exactly as sent."""

    def __init__(self, url: str) -> None:
        self.url = url

    def __call__(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        return requests.request(method, self.url + path, timeout=WAIT_SECONDS, **kwargs)


@pytest.fixture
def api(toxiproxy: ToxiproxyClient) -> Api:
    return Api(toxiproxy.url)


# -- a real upstream: a TCP echo server in its own thread ----------------------------------------


class EchoUpstream:
    """Echoes every byte back; counts the connections it has open."""

    def __init__(self) -> None:
        self.port = 0
        self.open_connections = 0
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.AbstractServer | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> EchoUpstream:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._start(), self._loop)
        self.port = future.result(WAIT_SECONDS)
        return self

    async def _start(self) -> int:
        self._server = await asyncio.start_server(self._echo, "127.0.0.1", 0, backlog=1024)
        return int(self._server.sockets[0].getsockname()[1])

    async def _echo(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.open_connections += 1
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            self.open_connections -= 1
            writer.close()

    def stop(self) -> None:
        async def close() -> None:
            assert self._server is not None
            self._server.close()

        asyncio.run_coroutine_threadsafe(close(), self._loop).result(WAIT_SECONDS)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(WAIT_SECONDS)
        self._loop.close()


@pytest.fixture(scope="session")
def echo_upstream() -> Iterator[EchoUpstream]:
    upstream = EchoUpstream().start()
    yield upstream
    upstream.stop()


@pytest.fixture
def echo_proxy(
    toxiproxy: ToxiproxyClient, echo_upstream: EchoUpstream, proxy_name: Callable[[], str]
) -> ProxyHandle:
    return toxiproxy.create_proxy(proxy_name(), echo_upstream.address)


# -- client side: sockets through a proxy -------------------------------------------------------


class Wire:
    """A client socket through a proxy, with the measurements tests need."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.settimeout(WAIT_SECONDS)

    def round_trip(self, payload: bytes = b"ping") -> float:
        """Seconds from sending ``payload`` to having all of it echoed back."""
        started = time.perf_counter()
        self.sock.sendall(payload)
        assert self.receive_exactly(len(payload)) == payload
        return time.perf_counter() - started

    def quickest_round_trip(self, samples: int = 3) -> float:
        """The fastest of ``samples`` round trips: load on a shared machine only ever makes a
        trip slower, so bounds on the quickest hold however busy the machine is."""
        return min(self.round_trip() for _ in range(samples))

    def receive_exactly(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = self.sock.recv(size - len(data))
            if not chunk:
                raise ConnectionError(f"closed after {len(data)} of {size} bytes")
            data += chunk
        return data

    def receive_until_closed(self) -> tuple[bytes, str]:
        """Everything until the proxy closes the connection, and how: ``eof`` or ``reset``."""
        data = b""
        try:
            while chunk := self.sock.recv(65536):
                data += chunk
        except ConnectionResetError:
            return data, "reset"
        return data, "eof"

    def nothing_arrives_within(self, seconds: float) -> bool:
        self.sock.settimeout(seconds)
        try:
            data = self.sock.recv(65536)
        except TimeoutError:
            return True
        finally:
            self.sock.settimeout(WAIT_SECONDS)
        raise AssertionError(f"expected silence, got {data!r}")

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def connect() -> Iterator[Callable[[ProxyHandle], Wire]]:
    wires: list[Wire] = []

    def open_wire(proxy: ProxyHandle) -> Wire:
        wire = Wire(socket.create_connection((proxy.listen_host, proxy.listen_port), WAIT_SECONDS))
        wires.append(wire)
        return wire

    yield open_wire
    for wire in wires:
        wire.close()


def wait_until(condition: Callable[[], bool], timeout: float = WAIT_SECONDS) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` passes; returns its last value."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return condition()
        time.sleep(0.01)
    return True


@pytest.fixture
def eventually() -> Callable[..., bool]:
    return wait_until


# -- MariaDB -------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def mariadb(
    make_database: Callable[[str], AbstractContextManager[ConnectionSettings]],
) -> Iterator[ConnectionSettings]:
    """The client account on the suite's own server (tests/conftest.py), in a database of its
    own, with timeouts that turn a hung proxy into a failure rather than a hung test."""
    with make_database("mchaos_proxy_") as settings:
        yield settings.with_timeouts(connect=5, read=10, write=10)


@pytest.fixture
def mariadb_proxy(
    toxiproxy: ToxiproxyClient, mariadb: ConnectionSettings, proxy_name: Callable[[], str]
) -> ProxyHandle:
    return toxiproxy.create_proxy(proxy_name(), f"{mariadb.host}:{mariadb.port}")
