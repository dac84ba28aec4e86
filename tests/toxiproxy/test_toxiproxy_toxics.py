"""Each toxic's behaviour, measured on real TCP traffic through a proxy to an echo upstream.

Timing assertions compare medians of several round trips with a no-toxic baseline measured on the
same connection, so scheduling noise on a shared machine cannot flip them.
"""

from __future__ import annotations

import os
import socket
import time

import pytest

from chaos.toxiproxy.server.toxics import TOXICS


def test_every_registered_toxic_has_a_behaviour_test():
    names = {name[len("test_") :] for name in globals() if name.startswith("test_")}
    for toxic in TOXICS.names():
        if TOXICS.get(toxic).protocol:
            continue  # MySQL protocol toxics: tests/toxiproxy/test_protocol_*.py
        assert any(name.startswith(f"{toxic}_") for name in names), toxic


def test_noop_passes_bytes_unchanged(echo_proxy, connect):
    echo_proxy.add_toxic("noop", stream="upstream")
    echo_proxy.add_toxic("noop")
    wire = connect(echo_proxy)
    payload = os.urandom(200_000)
    wire.sock.sendall(payload)
    assert wire.receive_exactly(len(payload)) == payload


def test_latency_adds_its_delay_to_each_round_trip_within_2ms(echo_proxy, connect):
    wire = connect(echo_proxy)
    baseline = wire.median_round_trip()
    echo_proxy.add_toxic("latency", latency=100)
    added = wire.median_round_trip() - baseline
    assert abs(added - 0.100) <= 0.002, f"added {added * 1000:.2f} ms"


def test_latency_upstream_delays_the_client_to_server_direction(echo_proxy, connect):
    wire = connect(echo_proxy)
    baseline = wire.median_round_trip(5)
    echo_proxy.add_toxic("latency", stream="upstream", latency=50)
    added = wire.median_round_trip(5) - baseline
    assert abs(added - 0.050) <= 0.002, f"added {added * 1000:.2f} ms"


def test_latency_jitter_spreads_delays_around_the_latency(echo_proxy, connect):
    wire = connect(echo_proxy)
    echo_proxy.add_toxic("latency", latency=60, jitter=40)
    trips = [wire.round_trip() for _ in range(10)]
    assert all(0.019 <= trip <= 0.105 for trip in trips), trips
    assert max(trips) - min(trips) > 0.010, trips


def test_latency_removed_delivers_held_bytes_at_once(echo_proxy, connect):
    echo_proxy.add_toxic("latency", latency=3000)
    wire = connect(echo_proxy)
    wire.sock.sendall(b"held")
    time.sleep(0.05)  # let the bytes reach the toxic (not an assertion)
    started = time.perf_counter()
    echo_proxy.remove_toxic("latency_downstream")
    assert wire.receive_exactly(4) == b"held"
    assert time.perf_counter() - started < 1.0


def test_latency_applies_to_connections_opened_before_it(echo_proxy, connect):
    wire = connect(echo_proxy)
    assert wire.round_trip() < 0.05
    echo_proxy.add_toxic("latency", latency=80)
    assert wire.round_trip() >= 0.079
    echo_proxy.remove_toxic("latency_downstream")
    assert wire.median_round_trip(3) < 0.05


def test_latency_update_changes_the_delay_of_live_connections(echo_proxy, connect):
    wire = connect(echo_proxy)
    echo_proxy.add_toxic("latency", latency=150)
    assert wire.round_trip() >= 0.149
    echo_proxy.update_toxic("latency_downstream", latency=20)
    assert 0.019 <= wire.median_round_trip(3) < 0.100


def test_bandwidth_limits_the_rate_in_kilobytes_per_second(echo_proxy, connect):
    wire = connect(echo_proxy)
    echo_proxy.add_toxic("bandwidth", rate=100)  # 100 KB/s: 50 KB take 0.5 s
    payload = os.urandom(50_000)
    started = time.perf_counter()
    wire.sock.sendall(payload)
    assert wire.receive_exactly(len(payload)) == payload
    elapsed = time.perf_counter() - started
    assert 0.45 <= elapsed <= 1.0, elapsed


def test_slow_close_delays_the_close_by_its_delay(echo_proxy, connect):
    echo_proxy.add_toxic("slow_close", delay=300)
    wire = connect(echo_proxy)
    assert wire.round_trip(b"data") < 0.1  # data is not delayed
    started = time.perf_counter()
    wire.sock.shutdown(socket.SHUT_WR)
    assert wire.receive_until_closed() == (b"", "eof")
    assert 0.29 <= time.perf_counter() - started <= 1.0


def test_slow_close_is_not_there_without_the_toxic(echo_proxy, connect):
    wire = connect(echo_proxy)
    started = time.perf_counter()
    wire.sock.shutdown(socket.SHUT_WR)
    assert wire.receive_until_closed() == (b"", "eof")
    assert time.perf_counter() - started < 0.2


def test_timeout_drops_data_and_closes_after_its_timeout(echo_proxy, connect):
    echo_proxy.add_toxic("timeout", timeout=200)
    wire = connect(echo_proxy)
    started = time.perf_counter()
    wire.sock.sendall(b"lost")
    data, _ = wire.receive_until_closed()
    assert data == b""
    assert 0.19 <= time.perf_counter() - started <= 1.0


def test_timeout_zero_holds_the_connection_open_and_drops_data(echo_proxy, connect):
    echo_proxy.add_toxic("timeout", timeout=0)
    wire = connect(echo_proxy)
    wire.sock.sendall(b"lost")
    assert wire.nothing_arrives_within(0.3)


def test_timeout_removed_closes_the_connections_it_held(echo_proxy, connect):
    wire = connect(echo_proxy)
    echo_proxy.add_toxic("timeout", timeout=0)
    wire.sock.sendall(b"lost")
    assert wire.nothing_arrives_within(0.1)
    echo_proxy.remove_toxic("timeout_downstream")
    data, _ = wire.receive_until_closed()
    assert data == b""
    fresh = connect(echo_proxy)
    assert fresh.round_trip() < 0.1


def test_reset_peer_resets_new_connections_after_its_timeout(echo_proxy, connect):
    echo_proxy.add_toxic("reset_peer", timeout=100)
    wire = connect(echo_proxy)
    started = time.perf_counter()
    wire.sock.sendall(b"trigger")
    data, how = wire.receive_until_closed()
    assert (data, how) == (b"", "reset")
    assert time.perf_counter() - started >= 0.099


def test_reset_peer_added_to_a_live_connection_resets_it(echo_proxy, connect, embedded):
    # Upstream sets SO_LINGER 0 only on links opened after the toxic (a plain FIN otherwise);
    # the embedded server resets live links too, as the toxic's name promises.
    wire = connect(echo_proxy)
    assert wire.round_trip() < 0.1
    echo_proxy.add_toxic("reset_peer", timeout=0)
    wire.sock.sendall(b"trigger")
    assert wire.receive_until_closed() == (b"", "reset")


def test_slicer_splits_data_into_small_delayed_slices(echo_proxy, connect):
    echo_proxy.add_toxic("slicer", average_size=10, size_variation=4, delay=20_000)
    wire = connect(echo_proxy)
    payload = os.urandom(100)
    wire.sock.sendall(payload)
    received = []
    while sum(map(len, received)) < len(payload):
        received.append(wire.sock.recv(1000))
        assert received[-1], "closed early"
    assert b"".join(received) == payload
    assert len(received) >= 6
    assert max(map(len, received)) <= 14 * 2  # a slow reader may see two slices at once


def test_limit_data_closes_the_connection_after_that_many_bytes(echo_proxy, connect):
    echo_proxy.add_toxic("limit_data", bytes=10)
    wire = connect(echo_proxy)
    wire.sock.sendall(b"0123456789abcdefghij")
    data, _ = wire.receive_until_closed()
    assert data == b"0123456789"


def test_limit_data_counts_bytes_across_chunks(echo_proxy, connect):
    echo_proxy.add_toxic("limit_data", bytes=6)
    wire = connect(echo_proxy)
    assert wire.round_trip(b"abc") < 0.1
    wire.sock.sendall(b"defghi")
    data, _ = wire.receive_until_closed()
    assert data == b"def"


@pytest.mark.parametrize("toxicity", [0.0, 1.0])
def test_toxicity_zero_never_applies_and_one_always_applies(echo_proxy, connect, toxicity):
    echo_proxy.add_toxic("latency", latency=100, toxicity=toxicity)
    trips = [connect(echo_proxy).round_trip() for _ in range(3)]
    delayed = [trip >= 0.099 for trip in trips]
    assert delayed == [toxicity == 1.0] * 3, trips


def test_toxicity_is_rolled_per_connection(echo_proxy, connect):
    echo_proxy.add_toxic("latency", latency=60, toxicity=0.5)
    delayed = [connect(echo_proxy).round_trip() >= 0.059 for _ in range(20)]
    # P(all 20 the same) = 2 / 2**20: a failure means toxicity is not rolled per link.
    assert any(delayed) and not all(delayed), delayed


def test_toxics_chain_in_the_order_added(echo_proxy, connect):
    echo_proxy.add_toxic("latency", name="first", latency=40)
    echo_proxy.add_toxic("latency", name="second", latency=40)
    wire = connect(echo_proxy)
    assert 0.079 <= wire.median_round_trip(3) <= 0.1
