"""``/metrics``: absent unless asked for, then upstream's proxy counter names and labels."""

from __future__ import annotations

import re
import selectors
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest
import requests

from chaos.toxiproxy import EmbeddedToxiproxy

WAIT_SECONDS = 20


def test_metrics_is_404_without_a_metrics_flag(api):
    assert api("GET", "/metrics").status_code == 404


@pytest.fixture
def metrics_server() -> Iterator[str]:
    """An embedded server started by its command with both metrics flags."""
    command = [sys.executable, "-m", "chaos.toxiproxy", "--port", "0"]
    process = subprocess.Popen(
        [*command, "--proxy-metrics", "--runtime-metrics"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    try:
        assert process.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            assert selector.select(WAIT_SECONDS), "no ready line"
        line = process.stdout.readline().decode()
        match = re.search(r"listening on (http://\S+)", line)
        assert match, line
        yield match.group(1)
    finally:
        process.terminate()
        process.wait(WAIT_SECONDS)
        if process.stdout is not None:
            process.stdout.close()


def metric(text: str, name: str, direction: str, proxy: str) -> int:
    for line in text.splitlines():
        if line.startswith(name + "{") and f'direction="{direction}"' in line:
            if f'proxy="{proxy}"' in line:
                return int(line.rsplit(" ", 1)[1])
    raise AssertionError(f"no {name} for {proxy} {direction} in:\n{text}")


def test_proxy_metrics_count_the_bytes_each_direction_moved(metrics_server, echo_upstream):
    body = {"name": "counted", "listen": "127.0.0.1:0", "upstream": echo_upstream.address}
    proxy = requests.post(f"{metrics_server}/proxies", json=body, timeout=5).json()
    host, port = proxy["listen"].rsplit(":", 1)
    with socket.create_connection((host, int(port)), 5) as sock:
        sock.sendall(b"x" * 1000)
        received = b""
        while len(received) < 1000:
            received += sock.recv(65536)
    response = requests.get(f"{metrics_server}/metrics", timeout=5)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    text = response.text
    labels = f'listener="{proxy["listen"]}",proxy="counted",upstream="{echo_upstream.address}"'
    assert f'toxiproxy_proxy_received_bytes_total{{direction="upstream",{labels}}} 1000' in text
    for name in ("toxiproxy_proxy_received_bytes_total", "toxiproxy_proxy_sent_bytes_total"):
        assert metric(text, name, "upstream", "counted") == 1000
        assert metric(text, name, "downstream", "counted") == 1000
        assert f"# TYPE {name} counter" in text
    assert re.search(r"^process_resident_memory_bytes \d+$", text, re.MULTILINE)


def test_thread_mode_serves_metrics_when_asked(echo_upstream):
    with EmbeddedToxiproxy(mode="thread", proxy_metrics=True) as server:
        server.client().create_proxy("threaded", echo_upstream.address)
        text = requests.get(f"{server.url}/metrics", timeout=5).text
    assert metric(text, "toxiproxy_proxy_received_bytes_total", "upstream", "threaded") == 0
    assert "process_resident_memory_bytes" not in text  # runtime metrics were not asked for
