"""A seeded fuzz of the embedded server's API: 10,000 malformed requests, then 200 clients at once.

Every request must get a status line (garbage that is not HTTP at all gets a 400), no answer may
be a 500 that is not one of Toxiproxy's own (a Go error such as ``listen tcp: ...``), and the
server process (process mode, so its RSS is its own) must stay under 150 MB throughout.
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
from urllib.parse import urlsplit

import pytest

from chaos.toxiproxy import EmbeddedToxiproxy
from chaos.toxiproxy.server import http

REQUESTS = 10_000
CONCURRENT_CLIENTS = 200
REQUESTS_PER_CLIENT = 5
PARALLEL = 32
RSS_LIMIT_KB = 150 * 1024
PREFIX = "fuzz_"

METHODS = ["GET", "POST", "PATCH", "DELETE", "PUT", "HEAD", "OPTIONS", "get", "G(T", "", "\x00"]
PATHS = [
    "/proxies",
    "/proxies/fuzz_a",
    "/proxies/fuzz_a/toxics",
    "/proxies/fuzz_a/toxics/latency_downstream",
    "/populate",
    "/reset",
    "/version",
    "//proxies",
    "/proxies/./fuzz_a",
    "/%zz",
    "/proxies/%ff%fe",
    "/proxies/%00",
    "*",
    "http://x/version",
    "relative",
    "/" + "a" * 5000,
    "/proxies?x=%zz",
]
STRINGS = [
    "fuzz_a",
    "fuzz_\ud800",
    "fuzz_" + "é" * 200,
    "fuzz_" + "x" * 300,
    "",
    "\x00",
    "latency",
    "downstream",
    "127.0.0.1:0",
    "127.0.0.1:99999",
    "127.0.0.1:-1",
    "[::1]:0",
    "no-port",
    "a:b:c",
    "localhost:65536",
]
NUMBERS = [0, -1, 1.5, 1e308, 2**63, -(2**64), 0.123456789, float("1e-45")]


def random_value(rng: random.Random, depth: int = 0) -> object:
    kind = rng.randrange(7 if depth < 3 else 4)
    if kind == 0:
        return rng.choice(STRINGS)
    if kind == 1:
        return rng.choice(NUMBERS)
    if kind == 2:
        return rng.choice([True, False, None])
    if kind == 3:
        return "".join(chr(rng.randrange(0x20, 0x3000)) for _ in range(rng.randrange(8)))
    if kind == 4:
        return [random_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    keys = ["name", "NAME", "listen", "upstream", "enabled", "type", "stream", "toxicity"]
    keys += ["attributes", "latency", "rate", "bytes", "x"]
    return {rng.choice(keys): random_value(rng, depth + 1) for _ in range(rng.randrange(6))}


def random_body(rng: random.Random) -> bytes:
    kind = rng.randrange(12)
    if kind == 0:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(64)))
    if kind == 1:
        return b"[" * rng.randrange(1, 200_000)  # absurd nesting
    if kind == 2:
        return b"1" * rng.randrange(4000, 20_000)  # past Python's int-digit limit
    if kind == 3:
        return b'{"name": "\\ud800", "upstream": "127.0.0.1:1"}'
    if kind == 4 and rng.random() < 0.2:  # the largest allowed body, now and then
        return b"[" + b"{}," * ((http.MAX_BODY_BYTES - 3) // 3) + b"{}]"
    if kind == 5:
        listen = f"127.0.0.1:{rng.choice([70000, 99999, -1, 65536, 2**40])}"
        return json.dumps([{"name": PREFIX + "p", "listen": listen, "upstream": "x:1"}]).encode()
    if kind == 6:
        body = {"name": rng.choice(STRINGS), "upstream": "127.0.0.1:1", "enabled": False}
        return json.dumps(body, ensure_ascii=rng.random() < 0.5).encode("utf-8", "surrogatepass")
    value = random_value(rng)
    return json.dumps(value, ensure_ascii=rng.random() < 0.5).encode("utf-8", "surrogatepass")


def random_request(rng: random.Random) -> bytes:
    """One request, most of them malformed in at least one way."""
    kind = rng.randrange(20)
    if kind == 0:  # not HTTP at all
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 300))) + b"\r\n\r\n"
    method = rng.choice(METHODS)
    path = rng.choice(PATHS)
    version = rng.choice(["HTTP/1.1"] * 8 + ["HTTP/1.0", "HTTP/2.0", "HTTP/1.x", ""])
    lines = [f"{method} {path} {version}".encode("utf-8", "surrogatepass")]
    if rng.random() < 0.9:
        lines.append(b"Host: fuzz")
    body = random_body(rng) if rng.random() < 0.7 else b""
    framing = rng.randrange(14)
    if framing < 6:
        lines.append(b"Content-Length: %d" % len(body))
    elif framing == 6:
        lines.append(rng.choice([b"Content-Length: \xb2", b"Content-Length: -1", b"1e3"]))
    elif framing == 7:
        lines += [b"Content-Length: %d" % len(body), b"Content-Length: %d" % (len(body) + 1)]
    elif framing == 8:
        lines.append(b"Content-Length: %d" % (len(body) + rng.randrange(1, 100)))  # short body
    elif framing == 9:
        lines.append(b"Content-Length: %d" % rng.choice([2**70, http.MAX_BODY_BYTES + 1]))
    elif framing == 10:
        lines.append(b"Transfer-Encoding: chunked")
        size = rng.choice([b"%x" % len(body), b"zz", b"-1", b"fffffffffffffffff", b""])
        body = size + b"\r\n" + body + rng.choice([b"\r\n0\r\n\r\n", b"\r\n", b"xx"])
    elif framing == 11:
        lines.append(rng.choice([b"Transfer-Encoding: gzip", b"Transfer-Encoding: chunked, x"]))
    elif framing == 12:
        lines.append(b"X-Big: " + b"a" * rng.choice([100, http.MAX_HEADER_BYTES + 10]))
    else:
        lines.append(rng.choice([b"Bad Header: x", b"NoColon", b": empty", b"X: a\x01b"]))
    if rng.random() < 0.1:
        lines.append(b"Expect: 100-continue")
    if rng.random() < 0.1:
        lines.append(b"User-Agent: Mozilla/5.0")
    separator = b"\n" if rng.random() < 0.05 else b"\r\n"
    return separator.join(lines) + separator + separator + body


async def exchange(host: str, port: int, data: bytes) -> bytes:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(data)
        await writer.drain()
        writer.write_eof()
        return await asyncio.wait_for(reader.read(), 30)
    except ConnectionResetError as e:
        raise AssertionError(f"connection reset without an answer to {data[:120]!r}") from e
    finally:
        writer.close()


def check_answer(request: bytes, answer: bytes) -> int:
    assert answer.startswith(b"HTTP/1.1 "), (request[:200], answer[:200])
    status = int(answer[9:12])
    if status == 100:  # Expect: 100-continue, then the real answer
        rest = answer.split(b"\r\n\r\n", 1)[1]
        return check_answer(request, rest)
    if status >= 500:
        body = answer.split(b"\r\n\r\n", 1)[1]
        go_error = status == 500 and (b'{"error":"listen tcp' in body or b'"address ' in body)
        assert go_error or status in (501, 505), (request[:200], answer[:300])
    if not request[:1].isalpha():
        assert status in (400, 431), (request[:200], answer[:200])
    return status


class RssSampler:
    """Peak VmRSS of a process, sampled in a thread."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        with open(f"/proc/{self.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    self.peak_kb = max(self.peak_kb, int(line.split()[1]))

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self._sample()

    def __enter__(self) -> RssSampler:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()


@pytest.fixture(scope="module")
def fuzzed_server():
    # Without the API secret, so the fuzzed requests reach the API behind it.
    with EmbeddedToxiproxy(mode="process", auth=False) as server:
        yield server


async def run_fuzz(url: str, rng: random.Random) -> dict[int, int]:
    parts = urlsplit(url)
    statuses: dict[int, int] = {}
    requests = [random_request(rng) for _ in range(REQUESTS)]
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for request in requests:
        queue.put_nowait(request)

    async def worker() -> None:
        while not queue.empty():
            request = queue.get_nowait()
            status = check_answer(request, await exchange(parts.hostname, parts.port, request))
            statuses[status] = statuses.get(status, 0) + 1

    await asyncio.gather(*(worker() for _ in range(PARALLEL)))

    async def client(requests: list[bytes]) -> None:
        for request in requests:
            status = check_answer(request, await exchange(parts.hostname, parts.port, request))
            statuses[status] = statuses.get(status, 0) + 1

    batches = [
        [random_request(rng) for _ in range(REQUESTS_PER_CLIENT)] for _ in range(CONCURRENT_CLIENTS)
    ]
    await asyncio.gather(*(client(batch) for batch in batches))
    return statuses


def test_every_fuzzed_request_is_answered_and_rss_stays_under_150_mb(fuzzed_server):
    rng = random.Random(20261201)
    with RssSampler(fuzzed_server.pid) as rss:
        statuses = asyncio.run(run_fuzz(fuzzed_server.url, rng))
    assert sum(statuses.values()) == REQUESTS + CONCURRENT_CLIENTS * REQUESTS_PER_CLIENT
    assert 400 in statuses and 413 in statuses and 431 in statuses, statuses
    assert rss.peak_kb < RSS_LIMIT_KB, f"peak RSS {rss.peak_kb} kB; statuses {statuses}"
    # Whatever the fuzz created can be listed and cleared.
    client = fuzzed_server.client()
    proxies = client.proxies()
    for name in proxies:
        client.delete_proxy(name)
    client.reset()
    assert client.proxies() == {}
