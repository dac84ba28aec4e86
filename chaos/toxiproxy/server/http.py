"""Just enough HTTP/1.1 for Toxiproxy's API: keep-alive, Content-Length and chunked bodies,
``Expect: 100-continue``, size limits and timeouts. Every malformed request gets a 4xx/5xx reply
and the connection is closed; nothing a client sends can raise out of here.

Where Go's ``net/http`` (which the real Toxiproxy uses) answers sensibly, this answers the same:
400 for a malformed request line, header or ``Content-Length`` (non-digits, ``-1``, ``1e3``, two
different values), 505 for another HTTP version, 501 for a transfer coding other than chunked,
400 without ``Host`` on HTTP/1.1, bare LF line ends accepted.

Limits, deliberate differences from the real server (which buffers whatever it is sent):

- request head (request line and headers) at most :data:`MAX_HEADER_BYTES`: 431 (Go: 1 MiB);
- body at most :data:`MAX_BODY_BYTES`: 413 (Go: no limit);
- at most :data:`MAX_CONNECTIONS` API connections. When they are all open, a new one closes
  the connection that has waited longest for its next request or is slowest sending it (any
  connection whose request is not being handled right now), so idle or slow clients, however
  many, cannot keep a real one out; only when every connection is being handled does the new
  one get 503;
- at most :data:`LARGE_BODY_SLOTS` requests with a body over :data:`SMALL_BODY_BYTES` are read
  and handled at a time, the others wait their turn: parsing a large JSON body costs many times
  its size in memory, and this keeps the sum bounded and the event loop (which also moves every
  proxied byte) free most of the time;
- a new connection must send its first request line within :data:`READ_TIMEOUT` seconds (else
  it is closed), and a request that stalls half-way for that long gets 408 (Go: closes);
- an answer the client does not take within :data:`WRITE_TIMEOUT` seconds closes the connection
  (Go's WriteTimeout), and answers over :data:`SMALL_BODY_BYTES` that clients have not taken
  yet hold at most :data:`MAX_UNSENT_BYTES` together; past that a large answer is a 503 (clients
  that ask for ``GET /proxies`` and never read could otherwise pile up copies of it).

Why not serve the API on a thread of its own: decoding JSON holds the GIL for the whole call,
so a second thread would stall the proxy loop just the same; bounding the work per request and
the number of large requests at a time is what keeps proxied bytes moving.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from http import HTTPStatus

log = logging.getLogger(__name__)

MAX_HEADER_BYTES = 64 * 1024
MAX_BODY_BYTES = 1024 * 1024
SMALL_BODY_BYTES = 64 * 1024
LARGE_BODY_SLOTS = 2
MAX_CONNECTIONS = 256
MAX_UNSENT_BYTES = 32 * 1024 * 1024  # large answers written and not yet taken by their clients
IDLE_TIMEOUT = 60.0  # Go's IdleTimeout in toxiproxy's api.go
READ_TIMEOUT = 5.0  # Go's ReadTimeout is 15 s; a loopback client sends a request in milliseconds
WRITE_TIMEOUT = 10.0
STOP_GRACE_SECONDS = 10.0
DISCARD_SECONDS = 1.0  # after an error reply, how long the rest of a request is read and dropped
DISCARD_BYTES = 4 * 1024 * 1024

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_DIGITS = re.compile(r"[0-9]{1,18}")  # ASCII only: str.isdigit() also takes '²'
_HEX = re.compile(rb"[0-9A-Fa-f]{1,15}")
_BAD_VALUE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_BAD_TARGET = re.compile(r"[\x00-\x20\x7f]")
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")


@dataclass
class Request:
    method: str
    path: str  # without the query string, still percent-encoded
    headers: dict[str, str]
    body: bytes
    query: str = ""


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
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", errors="replace")
    return head + (response.body if response.status != 204 else b"")


def _error_reply(status: int, message: str) -> bytes:
    body = f"{status} {HTTPStatus(status).phrase}: {message}\n".encode()
    return encode_response(Response(status, body, "text/plain; charset=utf-8"), keep_alive=False)


async def _refuse(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, status: int, message: str
) -> None:
    """Answer an error, then read and drop what the client still sends for a moment before the
    close: closing with unread bytes makes the kernel send RST, which can destroy the reply
    before the client reads it (Go's server lingers the same way)."""
    writer.write(_error_reply(status, message))
    try:
        async with asyncio.timeout(WRITE_TIMEOUT):
            await writer.drain()
    except TimeoutError:
        return  # it does not read: nothing to linger for
    if writer.can_write_eof():
        writer.write_eof()
    with contextlib.suppress(TimeoutError, ConnectionError):
        async with asyncio.timeout(DISCARD_SECONDS):
            for _ in range(DISCARD_BYTES // 65536):
                if not await reader.read(65536):
                    break


class HttpServer:
    def __init__(self, handler: Handler) -> None:
        self._handler = handler
        self._server: asyncio.AbstractServer | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._busy: set[asyncio.Task[None]] = set()  # handling a request right now
        # The others, least recently active first: whom a new connection evicts when full.
        self._evictable: dict[asyncio.Task[None], None] = {}
        self._large_bodies = asyncio.Semaphore(LARGE_BODY_SLOTS)
        self._unsent = 0  # bytes of large answers being written

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
        if len(self._tasks) >= MAX_CONNECTIONS and not self._evict_one():
            with contextlib.suppress(ConnectionError):
                await _refuse(reader, writer, 503, "too many API connections")
            writer.close()
            return
        self._tasks.add(task)
        self._evictable[task] = None
        try:
            first = True
            while await self._serve_one(reader, writer, task, first):
                first = False
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the client went away: nothing to answer
        except TimeoutError:
            pass  # it does not take its answer (WRITE_TIMEOUT): drop it
        except asyncio.CancelledError:
            pass  # stop() or an eviction closes it; end quietly (asyncio logs a cancelled one)
        finally:
            self._tasks.discard(task)
            self._evictable.pop(task, None)
            if writer.transport.get_write_buffer_size():
                writer.transport.abort()  # close() would keep what it never reads, for good
            else:
                writer.close()

    def _evict_one(self) -> bool:
        """Close the least recently active connection not being handled; False if none is."""
        victim = next(iter(self._evictable), None)
        if victim is None:
            return False
        del self._evictable[victim]
        self._tasks.discard(victim)  # its place is free now; the task closes its socket soon
        victim.cancel()
        return True

    async def _serve_one(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        task: asyncio.Task[None],
        first: bool,
    ) -> bool:
        """Read, handle and answer one request; False when the connection is done."""
        try:
            head = await self._read_head(reader, READ_TIMEOUT if first else IDLE_TIMEOUT)
            if head is None:
                return False
            method, target, headers = head
            length = self._body_length(headers)
            large = length < 0 or length > SMALL_BODY_BYTES  # chunked: size unknown, assume large
            slot = self._large_bodies if large else contextlib.nullcontext()
            async with slot:
                async with asyncio.timeout(READ_TIMEOUT):
                    body = await self._read_body(reader, writer, headers, length)
                self._busy.add(task)
                self._evictable.pop(task, None)
                try:
                    path, _, query = target.partition("?")
                    response = await self._handler(Request(method, path, headers, body, query))
                finally:
                    self._busy.discard(task)
                    if task in self._tasks:
                        self._evictable[task] = None  # the most recently active now
        except _BadRequest as e:
            await _refuse(reader, writer, e.status, str(e))
            return False
        except TimeoutError:
            await _refuse(reader, writer, 408, "request not complete in time")
            return False
        except (ConnectionError, asyncio.IncompleteReadError):
            raise
        except Exception as e:  # a parser bug must still answer, and cost one connection
            log.exception("malformed HTTP request")
            await _refuse(reader, writer, 400, f"malformed request ({type(e).__name__})")
            return False
        keep_alive = headers.get("connection", "").lower() != "close"
        answer = encode_response(response, keep_alive)
        large = len(answer) > SMALL_BODY_BYTES
        if large and self._unsent + len(answer) > MAX_UNSENT_BYTES:
            answer, keep_alive = _error_reply(503, "too many large answers being sent"), False
            large = False
        counted = len(answer) if large else 0
        self._unsent += counted
        try:
            writer.write(answer)
            del answer
            async with asyncio.timeout(WRITE_TIMEOUT):
                await writer.drain()
        finally:
            self._unsent -= counted
        return keep_alive

    async def _read_line(self, reader: asyncio.StreamReader, budget: int) -> bytes:
        try:
            line = await reader.readuntil(b"\n")
        except asyncio.LimitOverrunError:
            raise _BadRequest(431, "request head too large") from None
        if len(line) > budget:
            raise _BadRequest(431, "request head too large")
        return line

    async def _read_head(
        self, reader: asyncio.StreamReader, idle_timeout: float
    ) -> tuple[str, str, dict[str, str]] | None:
        """Method, target and headers; None when the client closed, or sent nothing for
        ``idle_timeout`` seconds."""
        try:
            async with asyncio.timeout(idle_timeout):
                first = await self._read_line(reader, MAX_HEADER_BYTES)
        except asyncio.IncompleteReadError as e:
            if e.partial.strip():
                raise _BadRequest(400, "incomplete request head") from None
            return None
        except TimeoutError:
            return None  # Go's IdleTimeout: nothing was asked, nothing to answer
        budget = MAX_HEADER_BYTES - len(first)
        lines: list[bytes] = []
        try:
            async with asyncio.timeout(READ_TIMEOUT):
                while (line := await self._read_line(reader, budget)).rstrip(b"\r\n"):
                    budget -= len(line)
                    lines.append(line)
        except asyncio.IncompleteReadError:
            raise _BadRequest(400, "incomplete request head") from None
        method, target, version = self._request_line(first.rstrip(b"\r\n").decode("latin-1"))
        headers = self._headers(lines)
        if version == "HTTP/1.1" and "host" not in headers:
            raise _BadRequest(400, "missing required Host header")
        if version == "HTTP/1.0" and headers.get("connection", "").lower() != "keep-alive":
            headers["connection"] = "close"
        return method, target, headers

    @staticmethod
    def _request_line(line: str) -> tuple[str, str, str]:
        parts = line.split(" ")
        if len(parts) != 3 or not _TOKEN.fullmatch(parts[0]) or _BAD_TARGET.search(parts[1]):
            raise _BadRequest(400, "malformed request line")
        method, target, version = parts
        if version not in ("HTTP/1.0", "HTTP/1.1"):
            if re.fullmatch(r"HTTP/[0-9]+\.[0-9]+", version):
                raise _BadRequest(505, "unsupported protocol version")
            raise _BadRequest(400, "malformed request line")
        if target.startswith(("http://", "https://")):  # absolute form: keep its path
            target = "/" + target.split("/", 3)[3] if target.count("/") >= 3 else "/"
        if not target.startswith("/") and not (method == "OPTIONS" and target == "*"):
            raise _BadRequest(400, "malformed request line")
        if _BAD_ESCAPE.search(target.partition("?")[0]):
            raise _BadRequest(400, "invalid URL escape")
        return method, target, version

    @staticmethod
    def _headers(lines: list[bytes]) -> dict[str, str]:
        headers: dict[str, str] = {}
        lengths: set[str] = set()
        for raw in lines:
            name, sep, value = raw.rstrip(b"\r\n").decode("latin-1").partition(":")
            if not sep or not _TOKEN.fullmatch(name):
                raise _BadRequest(400, "invalid header name")
            value = value.strip(" \t")
            if _BAD_VALUE.search(value):
                raise _BadRequest(400, "invalid header value")
            key = name.lower()
            if key == "content-length":
                lengths.add(value)
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        if len(lengths) > 1:
            raise _BadRequest(400, "conflicting Content-Length headers")
        if lengths:
            headers["content-length"] = lengths.pop()
        return headers

    @staticmethod
    def _body_length(headers: dict[str, str]) -> int:
        """The announced body size (-1: chunked, size unknown); checks come before reading."""
        coding = headers.get("transfer-encoding")
        if coding is not None:
            if coding.lower() != "chunked":
                raise _BadRequest(501, "unsupported transfer encoding")
            return -1
        length = headers.get("content-length")
        if length is None:
            return 0
        if not _DIGITS.fullmatch(length):
            raise _BadRequest(400, "bad Content-Length")
        if int(length) > MAX_BODY_BYTES:
            raise _BadRequest(413, f"request body larger than {MAX_BODY_BYTES} bytes")
        return int(length)

    async def _read_body(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        headers: dict[str, str],
        length: int,
    ) -> bytes:
        if length == 0:
            return b""
        if headers.get("expect", "").lower() == "100-continue":
            writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        try:
            if length < 0:
                return await self._read_chunked(reader)
            return await reader.readexactly(length)
        except asyncio.IncompleteReadError:
            raise _BadRequest(400, "request body shorter than announced") from None

    async def _read_chunked(self, reader: asyncio.StreamReader) -> bytes:
        body = bytearray()
        while True:
            size_line = await self._read_line(reader, MAX_HEADER_BYTES)
            digits = size_line.split(b";")[0].strip()
            if not _HEX.fullmatch(digits):
                raise _BadRequest(400, "invalid byte in chunk length")
            size = int(digits, 16)
            if len(body) + size > MAX_BODY_BYTES:
                raise _BadRequest(413, f"request body larger than {MAX_BODY_BYTES} bytes")
            if size == 0:
                # Trailers, if any, end with an empty line.
                budget = MAX_HEADER_BYTES
                while line := (await self._read_line(reader, budget)).rstrip(b"\r\n"):
                    budget -= len(line) + 2
                return bytes(body)
            body += await reader.readexactly(size)
            end = await reader.readexactly(1)
            if end == b"\r":
                end = await reader.readexactly(1)
            if end != b"\n":
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
