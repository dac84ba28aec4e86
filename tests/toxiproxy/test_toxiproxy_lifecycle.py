"""What happens to live connections and listening sockets when proxies change."""

from __future__ import annotations

import os
import socket
import threading
import time

import pytest


def refuses_connections(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), 2).close()
    except ConnectionRefusedError:
        return True
    return False


def test_proxy_relays_bytes_both_ways(echo_proxy, connect):
    wire = connect(echo_proxy)
    assert wire.round_trip(b"hello") < 0.1


def test_bytes_sent_right_after_connecting_are_not_lost(echo_proxy, connect):
    for _ in range(20):
        wire = connect(echo_proxy)
        payload = bytes(range(256)) * 64
        wire.sock.sendall(payload)  # before the proxy has dialled upstream, most likely
        assert wire.receive_exactly(len(payload)) == payload
        wire.close()


def test_disabling_a_proxy_closes_live_connections_and_stops_listening(
    echo_proxy, connect, echo_upstream, eventually
):
    wire = connect(echo_proxy)
    assert wire.round_trip() < 0.1
    echo_proxy.disable()
    assert echo_proxy.enabled is False
    data, _ = wire.receive_until_closed()
    assert data == b""
    assert refuses_connections(echo_proxy.listen_port)


def test_disabling_a_proxy_closes_the_upstream_side_too(
    echo_proxy, connect, echo_upstream, eventually
):
    before = echo_upstream.open_connections
    wire = connect(echo_proxy)
    assert wire.round_trip() < 0.1
    assert echo_upstream.open_connections == before + 1
    echo_proxy.disable()
    assert eventually(lambda: echo_upstream.open_connections == before)


def test_reenabling_a_proxy_listens_on_the_same_port(echo_proxy, connect):
    port = echo_proxy.listen_port
    echo_proxy.disable()
    echo_proxy.enable()
    assert echo_proxy.listen_port == port
    assert connect(echo_proxy).round_trip() < 0.1


def test_deleting_a_proxy_closes_live_connections(echo_proxy, connect):
    wire = connect(echo_proxy)
    assert wire.round_trip() < 0.1
    echo_proxy.delete()
    assert wire.receive_until_closed()[0] == b""
    assert refuses_connections(echo_proxy.listen_port)


def test_changing_upstream_restarts_the_proxy_and_drops_connections(echo_proxy, connect, toxiproxy):
    wire = connect(echo_proxy)
    assert wire.round_trip() < 0.1
    response = toxiproxy.update(f"/proxies/{echo_proxy.name}", {"upstream": "127.0.0.1:1"})
    assert response.json()["upstream"] == "127.0.0.1:1"
    assert response.json()["enabled"] is True
    assert wire.receive_until_closed()[0] == b""


def test_client_closing_closes_the_upstream_connection(
    echo_proxy, connect, echo_upstream, eventually
):
    before = echo_upstream.open_connections
    wire = connect(echo_proxy)
    assert wire.round_trip() < 0.1
    wire.close()
    assert eventually(lambda: echo_upstream.open_connections == before)


def test_unreachable_upstream_closes_the_client_connection(toxiproxy, proxy_name, connect):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]  # bound, never listening: connections are refused
        proxy = toxiproxy.create_proxy(proxy_name(), f"127.0.0.1:{port}")
        wire = connect(proxy)
        assert wire.receive_until_closed()[0] == b""


def test_reset_removes_toxics_from_live_connections(echo_proxy, connect, toxiproxy):
    wire = connect(echo_proxy)
    echo_proxy.add_toxic("latency", latency=200)
    assert wire.round_trip() >= 0.199
    toxiproxy.reset()
    assert wire.quickest_round_trip(3) < 0.1


@pytest.mark.parametrize("stream", ["upstream", "downstream"])
def test_removing_every_toxic_restores_direct_relaying(echo_proxy, connect, stream):
    wire = connect(echo_proxy)
    echo_proxy.add_toxic("latency", name="a", stream=stream, latency=30)
    echo_proxy.add_toxic("slicer", name="b", stream=stream, average_size=2, delay=0)
    echo_proxy.add_toxic("latency", name="c", stream=stream, latency=30)
    assert wire.round_trip(b"x" * 64) >= 0.059
    echo_proxy.remove_toxic("b")  # from the middle of the chain
    assert wire.round_trip(b"y" * 64) >= 0.059
    echo_proxy.remove_toxic("a")
    echo_proxy.remove_toxic("c")
    assert wire.quickest_round_trip(3) < 0.03
    payload = bytes(range(256)) * 400
    wire.sock.sendall(payload)
    assert wire.receive_exactly(len(payload)) == payload


def test_toxics_added_and_removed_mid_stream_lose_and_reorder_no_byte(echo_proxy, connect):
    wire = connect(echo_proxy)
    payload = os.urandom(2_000_000)
    received: list[bytes] = []

    def send_slowly() -> None:
        for offset in range(0, len(payload), 8192):
            wire.sock.sendall(payload[offset : offset + 8192])
            time.sleep(0.0005)

    def read_everything() -> None:
        size = 0
        while size < len(payload):
            chunk = wire.sock.recv(65536)
            if not chunk:
                return
            received.append(chunk)
            size += len(chunk)

    reader = threading.Thread(target=read_everything)
    sender = threading.Thread(target=send_slowly)
    reader.start()
    sender.start()
    toggles = 0
    while sender.is_alive():
        stream = ("upstream", "downstream")[toggles % 2]
        echo_proxy.add_toxic("latency", name="l", stream=stream, latency=2, jitter=1)
        echo_proxy.add_toxic("slicer", name="s", stream=stream, average_size=512, delay=10)
        echo_proxy.add_toxic("bandwidth", name="b", stream=stream, rate=10_000)
        echo_proxy.update_toxic("l", latency=1)
        echo_proxy.remove_toxic("s")
        echo_proxy.remove_toxic("l")
        echo_proxy.remove_toxic("b")
        toggles += 1
    sender.join()
    reader.join(10)
    assert toggles >= 3, "the stream ended before the toxics could change under it"
    assert b"".join(received) == payload


@pytest.mark.parametrize("change", ["disable", "delete", "update"])
def test_live_sockets_are_closed_before_the_api_answers(
    embedded, echo_proxy, connect, toxiproxy, change
):
    # The FIN must be in the client's socket when the reply arrives: data the client sends right
    # after the call then meets a closed socket and the client reads EOF. A proxy that answers
    # first still reads that data, and closing a socket with unread data sends RST (measured: 1
    # to 7 tries in 20 on a link without toxics; 20 tries make a pass by luck unlikely).
    # The embedded server's promise, not upstream's: Toxiproxy 2.12 calls Close() before it
    # answers, but Go closes a socket only once the goroutine reading it wakes up, so with the
    # CPUs busy the reply can come first (2 of 15 runs read a reset, the embedded 0 of 12).
    for _ in range(20):
        wire = connect(echo_proxy)
        assert wire.round_trip() < 0.1
        if change == "disable":
            echo_proxy.disable()
        elif change == "delete":
            echo_proxy.delete()
        else:
            toxiproxy.update(f"/proxies/{echo_proxy.name}", {"upstream": "127.0.0.1:1"})
        wire.sock.sendall(b"right after the call")
        assert wire.receive_until_closed() == (b"", "eof")
        wire.close()
        if change == "delete":
            echo_proxy = toxiproxy.create_proxy(echo_proxy.name, echo_proxy.upstream)
        elif change == "disable":
            echo_proxy.enable()
        else:
            toxiproxy.update(f"/proxies/{echo_proxy.name}", {"upstream": echo_proxy.upstream})
