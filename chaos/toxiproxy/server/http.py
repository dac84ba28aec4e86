"""Just enough HTTP/1.1 for Toxiproxy's API: keep-alive, Content-Length and chunked bodies,
``Expect: 100-continue``, size limits and idle timeouts. Malformed requests get a 4xx and the
connection is closed; nothing a client sends can raise out of here."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from http import HTTPStatus

log = logging.getLogger(__name__)

MAX_HEADER_BYTES = 64 * 1024
MAX_BODY_BYTES = 8 * 1024 * 1024
IDLE_TIMEOUT = 60.0  # Go's IdleTimeout in toxiproxy's api.go
READ_TIMEOUT = 15.0  # Go's ReadTimeout
STOP_GRACE_SECONDS = 10.0


@dataclass
class Request:
    method: str
    path: str  # without the query string, still percent-encoded
    headers: dict[str, str]
    body: bytes


@dataclass
class Response:
    status: int
    body: bytes = b""
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Request], Awaitable[Response]]


class _BadRequest(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def encode_response(response: Response, keep_alive: bool) -> bytes:
    reason = HTTPStatus(response.status).phrase
    lines = [f"HTTP/1.1 {response.status} {reason}", f"Date: {formatdate(usegmt=True)}"]
    if response.content_type:
        lines.append(f"Content-Type: {response.content_type}")
    if response.status != 204:
        lines.append(f"Content-Length: {len(response.body)}")
    lines.extend(f"{name}: {value}" for name, value in response.headers.items())
    if not keep_alive:
        lines.append("Connection: close")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return head + (response.body if response.status != 204 else b"")


class HttpServer:
    def __init__(self, handler: Handler) -> None:
        self._handler = handler
        self._server: asyncio.AbstractServer | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._busy: set[asyncio.Task[None]] = set()  # handling a request right now

    async def start(self, sock: socket.socket) -> None:
        """Serve on an already bound, listening socket (the caller reports bind errors)."""
        self._server = await asyncio.start_server(self._serve, sock=sock, limit=MAX_HEADER_BYTES)

    async def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        # Requests being handled finish (a half-created proxy would outlive the server);
        # connections waiting for a request are closed.
        for task in self._tasks - self._busy:
            task.cancel()
        if self._busy:
            await asyncio.wait(self._busy, timeout=STOP_GRACE_SECONDS)
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks)
        await server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            while True:
                try:
                    request = await self._read_request(reader, writer)
                except _BadRequest as e:
                    body = f"{e.status} {HTTPStatus(e.status).phrase}: {e}\n".encode()
                    response = Response(e.status, body, "text/plain; charset=utf-8")
                    writer.write(encode_response(response, keep_alive=False))
                    await writer.drain()
                    return
                if request is None:
                    return
                self._busy.add(task)
                try:
                    response = await self._handler(request)
                finally:
                    self._busy.discard(task)
                keep_alive = request.headers.get("connection", "").lower() != "close"
                writer.write(encode_response(response, keep_alive))
                await writer.drain()
                if not keep_alive:
                    return
        except (ConnectionError, TimeoutError, asyncio.IncompleteReadError):
            pass  # the client went away or idled out: nothing to answer
        except (asyncio.LimitOverrunError, ValueError) as e:
            log.debug("dropping a malformed HTTP connection: %s", e)
        finally:
            self._tasks.discard(task)
            writer.close()

    async def _read_request(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> Request | None:
        try:
            async with asyncio.timeout(IDLE_TIMEOUT):
                head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError as e:
            if e.partial.strip():
                raise _BadRequest(400, "incomplete request head") from None
            return None  # closed between requests
        except asyncio.LimitOverrunError:
            raise _BadRequest(431, "request head too large") from None
        try:
            text = head.decode("latin-1")
        except UnicodeDecodeError:  # pragma: no cover - latin-1 decodes every byte
            raise _BadRequest(400, "malformed request head") from None
        request_line, *header_lines = text[:-4].split("\r\n")
        parts = request_line.split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/1.") or not parts[1].startswith("/"):
            raise _BadRequest(400, "malformed request line")
        method, target, version = parts
        headers: dict[str, str] = {}
        for line in header_lines:
            name, sep, value = line.partition(":")
            if not sep or not name or name != name.strip():
                raise _BadRequest(400, "malformed header line")
            key = name.lower()
            headers[key] = f"{headers[key]}, {value.strip()}" if key in headers else value.strip()
        if version == "HTTP/1.0" and headers.get("connection", "").lower() != "keep-alive":
            headers["connection"] = "close"
        async with asyncio.timeout(READ_TIMEOUT):
            body = await self._read_body(reader, writer, headers)
        return Request(method, target.partition("?")[0], headers, body)

    async def _read_body(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, headers: dict[str, str]
    ) -> bytes:
        chunked = "chunked" in headers.get("transfer-encoding", "").lower()
        length_header = headers.get("content-length")
        if not chunked and not length_header:
            return b""
        if headers.get("expect", "").lower() == "100-continue":
            writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        if chunked:
            return await self._read_chunked(reader)
        assert length_header is not None
        if not length_header.isdigit():
            raise _BadRequest(400, "bad Content-Length")
        length = int(length_header)
        if length > MAX_BODY_BYTES:
            raise _BadRequest(413, "request body too large")
        return await reader.readexactly(length)

    async def _read_chunked(self, reader: asyncio.StreamReader) -> bytes:
        body = bytearray()
        while True:
            try:
                size_line = await reader.readuntil(b"\r\n")
                size = int(size_line.split(b";")[0].strip(), 16)
            except (ValueError, asyncio.LimitOverrunError):
                raise _BadRequest(400, "bad chunk size") from None
            if size < 0 or len(body) + size > MAX_BODY_BYTES:
                raise _BadRequest(413, "request body too large")
            if size == 0:
                # Trailers, if any, end with an empty line.
                while (await reader.readuntil(b"\r\n")) != b"\r\n":
                    pass
                return bytes(body)
            body += await reader.readexactly(size)
            if await reader.readexactly(2) != b"\r\n":
                raise _BadRequest(400, "bad chunk terminator")


def listening_socket(host: str, port: int) -> socket.socket:
    """A bound, listening socket for the API (raises OSError; the caller words it)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    infos.sort(key=lambda info: info[0] != socket.AF_INET)
    family, _, _, _, sockaddr = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    with contextlib.ExitStack() as on_error:
        on_error.callback(sock.close)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(sockaddr)
        sock.listen(128)
        sock.setblocking(False)
        on_error.pop_all()
    return sock
