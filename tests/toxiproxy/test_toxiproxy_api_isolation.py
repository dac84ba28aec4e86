"""API work never stalls the proxied bytes that share its event loop.

The embedded server runs the API and every proxy on one loop. Before bodies were bounded and
large ones handled two at a time, 40 concurrent 8 MB ``/populate`` bodies held the loop (and
every link on it) for 10 s. Here a client hammers the API with the largest allowed bodies while
round trips go through a proxied echo link; the worst round trip must stay far from a stall.
"""

from __future__ import annotations

import socket
import threading
import time

import requests

from chaos.toxiproxy import EmbeddedToxiproxy
from chaos.toxiproxy.server import http

HAMMERS = 4
SECONDS = 3.0
STALL_LIMIT = 1.0  # seconds; a stall measured before the limits was 10 s


def worst_round_trip(sock: socket.socket, seconds: float) -> tuple[float, int]:
    """The longest echo round trip over ``seconds``, and how many there were."""
    worst, count = 0.0, 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.perf_counter()
        sock.sendall(b"ping")
        received = b""
        while len(received) < 4:
            chunk = sock.recv(4 - len(received))
            assert chunk, "the proxied link closed"
            received += chunk
        worst = max(worst, time.perf_counter() - started)
        count += 1
        time.sleep(0.005)
    return worst, count


def test_round_trips_keep_flowing_while_the_api_takes_the_largest_bodies(echo_upstream):
    # The worst body for the server: the most JSON objects 1 MiB can hold.
    body = b"[" + b"{}," * ((http.MAX_BODY_BYTES - 3) // 3) + b"{}]"
    assert len(body) <= http.MAX_BODY_BYTES
    with EmbeddedToxiproxy(mode="process") as server:
        proxy = server.client().create_proxy("isolation", echo_upstream.address)
        with socket.create_connection((proxy.listen_host, proxy.listen_port), 5) as sock:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.settimeout(30)
            quiet_worst, _ = worst_round_trip(sock, 1.0)

            answered: list[int] = []
            stop = threading.Event()

            def hammer() -> None:
                with requests.Session() as session:
                    while not stop.is_set():
                        response = session.post(f"{server.url}/populate", data=body, timeout=60)
                        answered.append(response.status_code)

            threads = [threading.Thread(target=hammer) for _ in range(HAMMERS)]
            for thread in threads:
                thread.start()
            try:
                busy_worst, round_trips = worst_round_trip(sock, SECONDS)
            finally:
                stop.set()
                for thread in threads:
                    thread.join()
    assert len(answered) >= HAMMERS and set(answered) == {400}, answered  # missing name
    assert round_trips > 10
    assert busy_worst < STALL_LIMIT, (
        f"worst round trip {busy_worst:.3f}s while hammered ({len(answered)} bodies), "
        f"{quiet_worst:.3f}s quiet"
    )
