"""Bounds on what the embedded server holds: proxies, toxics, API connections.

Before them, 30 ``/populate`` bodies made 90,000 proxies (197 MB, a 50 MB ``GET /proxies``),
3,000 toxics went onto one proxy, and 300 idle clients kept 60 % of real API calls out with 503.
"""

from __future__ import annotations

import base64
import os
import socket
import threading
from urllib.parse import urlsplit

import pytest
import requests

from chaos.toxiproxy import EmbeddedToxiproxy
from chaos.toxiproxy.client import ToxiproxyApiError
from chaos.toxiproxy.server import http, limits
from chaos.toxiproxy.server.decode import MAX_NAME_BYTES, MAX_STRING_BYTES

RSS_LIMIT_KB = 150 * 1024  # the README's ceiling


def entry(number: int, **fields: object) -> dict[str, object]:
    return {"name": f"p{number}", "upstream": "127.0.0.1:9", "listen": "127.0.0.1:0", **fields}


def peak_rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def test_proxies_past_the_bound_are_403_and_a_populate_past_it_creates_none():
    with EmbeddedToxiproxy(mode="process") as server:
        client = server.client()
        fds = open_fds(server.pid)
        too_many = [entry(n) for n in range(limits.MAX_PROXIES + 1)]
        with pytest.raises(ToxiproxyApiError) as refused:
            client.populate(too_many)
        assert refused.value.status == 403
        assert f"at most {limits.MAX_PROXIES} proxies" in refused.value.message
        assert client.proxies() == {}

        assert len(client.populate(too_many[:-1])) == limits.MAX_PROXIES
        with pytest.raises(ToxiproxyApiError) as one_more:
            client.create_proxy("extra", upstream="127.0.0.1:9")
        assert one_more.value.status == 403
        # Replacing what exists is no new proxy; freeing a place lets one in.
        assert len(client.populate(too_many[:3])) == 3
        client.delete_proxy("p0")
        client.create_proxy("extra", upstream="127.0.0.1:9")
        assert len(client.proxies()) == limits.MAX_PROXIES
        # One listening socket per enabled proxy (and a few API connections being closed).
        assert open_fds(server.pid) <= fds + limits.MAX_PROXIES + 8


def test_toxics_past_the_bounds_are_403():
    with EmbeddedToxiproxy(mode="thread") as server:
        client = server.client()
        proxies = client.populate(
            [entry(n) for n in range(limits.MAX_TOXICS // limits.MAX_TOXICS_PER_PROXY + 1)]
        )
        for proxy in proxies[:-1]:
            for number in range(limits.MAX_TOXICS_PER_PROXY):
                proxy.add_toxic("latency", name=f"t{number}")
        with pytest.raises(ToxiproxyApiError) as per_proxy:
            proxies[0].add_toxic("latency", name="one-more")
        assert per_proxy.value.status == 403
        assert f"at most {limits.MAX_TOXICS_PER_PROXY} toxics per proxy" in per_proxy.value.message
        with pytest.raises(ToxiproxyApiError) as on_server:
            proxies[-1].add_toxic("latency")
        assert on_server.value.status == 403
        assert f"at most {limits.MAX_TOXICS} toxics" in on_server.value.message
        proxies[0].remove_toxic("t0")
        proxies[-1].add_toxic("latency")  # a freed place is taken again


def test_the_server_stays_under_150_mb_holding_the_most_it_takes(tmp_path):
    # Every proxy and toxic at its bound, every string at its longest.
    longest = "x" * MAX_STRING_BYTES
    # The longest match pattern that stays within RE2's instruction bound (a plain literal of
    # this length would be refused): one class instruction per five bytes.
    longest_pattern = ("[x-x]" * MAX_STRING_BYTES)[: MAX_STRING_BYTES - 4] + "xxxx"
    with EmbeddedToxiproxy(mode="process") as server:
        client = server.client()
        per_proxy = limits.MAX_TOXICS // limits.MAX_PROXIES
        proxies = client.populate(
            [
                {"name": f"{n:04d}".ljust(MAX_NAME_BYTES, "n"), "upstream": longest}
                for n in range(limits.MAX_PROXIES)
            ]
        )
        for proxy in proxies:
            for number in range(per_proxy):
                proxy.add_toxic(
                    "mysql_error",
                    name=f"{number}".ljust(MAX_NAME_BYTES, "t"),
                    match=longest_pattern,
                    state=longest,
                    message=longest,
                )

        def list_all(sizes: list[int]) -> None:
            sizes.append(len(requests.get(f"{server.url}/proxies", timeout=60).content))

        sizes: list[int] = []
        readers = [threading.Thread(target=list_all, args=(sizes,)) for _ in range(8)]
        for reader in readers:
            reader.start()
        for reader in readers:
            reader.join()
        assert len(sizes) == 8
        assert max(sizes) < 8 * 1024 * 1024, sizes
        # Clients that ask for the whole list and never read it pile up no copies of it.
        parts = urlsplit(server.url)
        credentials = base64.b64encode(f"x:{parts.password}".encode())
        request = b"GET /proxies HTTP/1.1\r\nHost: x\r\nAuthorization: Basic %s\r\n\r\n"
        stalled = []
        try:
            for _ in range(40):
                sock = socket.create_connection((parts.hostname, parts.port), 5)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
                sock.sendall(request % credentials)
                sock.settimeout(30)
                assert sock.recv(9) == b"HTTP/1.1 "  # answered (200 or 503), then never read
                stalled.append(sock)
            assert client.version()
            assert peak_rss_kb(server.pid) < RSS_LIMIT_KB
        finally:
            for sock in stalled:
                sock.close()


def test_idle_and_slow_clients_cannot_keep_a_real_client_out():
    with EmbeddedToxiproxy(mode="process") as server:
        client = server.client()
        parts = urlsplit(server.url)
        slow: list[socket.socket] = []
        try:
            for number in range(http.MAX_CONNECTIONS + 44):
                sock = socket.create_connection((parts.hostname, parts.port), 5)
                if number % 2:  # half send a request head that never ends
                    sock.sendall(b"GET /proxies HTTP/1.1\r\nHost: x\r\n")
                slow.append(sock)
            # Accepted in order, so every slow one is in before each real call.
            for _ in range(20):
                assert client.version()
                assert client.proxies() == {}
        finally:
            for sock in slow:
                sock.close()


def test_a_connection_that_sends_nothing_is_closed(monkeypatch):
    monkeypatch.setattr(http, "READ_TIMEOUT", 0.2)  # thread mode: the server reads it here
    with EmbeddedToxiproxy(mode="thread") as server:
        parts = urlsplit(server.url)
        with socket.create_connection((parts.hostname, parts.port), 5) as sock:
            sock.settimeout(10)
            assert sock.recv(100) == b""  # closed without an answer: nothing was asked
        assert server.client().version()
