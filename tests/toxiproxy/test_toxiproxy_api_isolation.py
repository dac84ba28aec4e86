"""API work never stalls the proxied bytes that share its event loop.

The embedded server runs the API and every proxy on one loop. Before bodies were bounded and
large ones handled two at a time, 40 concurrent 8 MB ``/populate`` bodies held the loop (and
every link on it) for 10 s. Here a client hammers the API with the largest allowed bodies while
round trips go through a proxied echo link; the worst round trip must stay far from a stall.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

from chaos.toxiproxy import EmbeddedToxiproxy
from chaos.toxiproxy.server import decode, http

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


# The hammer runs in a process of its own, so its threads do not compete for this process's GIL
# with the round trips (and the echo server) being measured.
HAMMER = """
import json, os, sys, threading, requests
url = os.environ["HAMMER_URL"]  # it holds the API's secret: not on a command line
path, seconds, threads = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
body = open(path, "rb").read()
answered, stop = [], threading.Event()
def hammer():
    with requests.Session() as session:
        while not stop.is_set():
            answered.append(session.post(url + "/populate", data=body, timeout=60).status_code)
workers = [threading.Thread(target=hammer) for _ in range(threads)]
for worker in workers:
    worker.start()
print("started", flush=True)
stop.wait(seconds)
stop.set()
for worker in workers:
    worker.join()
print(json.dumps(answered), flush=True)
"""


def test_round_trips_keep_flowing_while_the_api_takes_the_largest_bodies(echo_upstream, tmp_path):
    # The worst body the server takes: as many JSON objects as it parses, then numbers to 1 MiB
    # (the first number is the error: a proxy must be an object).
    objects = b"{}," * (decode.MAX_JSON_CONTAINERS - 1)  # and the list itself
    numbers = b"0," * ((http.MAX_BODY_BYTES - len(objects) - 2) // 2)
    body = b"[" + objects + numbers + b"0]"
    assert len(body) <= http.MAX_BODY_BYTES
    assert body.count(b"{") + 1 == decode.MAX_JSON_CONTAINERS
    body_file = tmp_path / "body.json"
    body_file.write_bytes(body)
    with EmbeddedToxiproxy(mode="process") as server:
        proxy = server.client().create_proxy("isolation", echo_upstream.address)
        with socket.create_connection((proxy.listen_host, proxy.listen_port), 5) as sock:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            sock.settimeout(30)
            quiet_worst, _ = worst_round_trip(sock, 1.0)
            command = [sys.executable, "-c", HAMMER, str(body_file), str(SECONDS), str(HAMMERS)]
            environment = {**os.environ, "HAMMER_URL": server.url}
            hammer = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=environment)
            try:
                assert hammer.stdout is not None
                assert hammer.stdout.readline().strip() == "started"
                busy_worst, round_trips = worst_round_trip(sock, SECONDS)
                answered = json.loads(hammer.stdout.readline())
                assert hammer.wait(60) == 0
            finally:
                if hammer.poll() is None:
                    hammer.kill()
                    hammer.wait()
                if hammer.stdout is not None:
                    hammer.stdout.close()
    assert len(answered) >= HAMMERS and set(answered) == {400}, answered  # a number, not a proxy
    assert round_trips > 10
    assert busy_worst < STALL_LIMIT, (
        f"worst round trip {busy_worst:.3f}s while hammered ({len(answered)} bodies), "
        f"{quiet_worst:.3f}s quiet"
    )
