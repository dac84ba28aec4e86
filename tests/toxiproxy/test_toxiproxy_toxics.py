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


def _round_trips(wire, samples: int = 7) -> list[float]:
    return [wire.round_trip() for _ in range(samples)]


def test_latency_adds_its_delay_to_each_round_trip(echo_proxy, connect):
    # Never less than the latency (the toxic holds every chunk that long); the quickest trip
    # shows it adds no more than the latency plus the link's own cost. The minimum, not the
    # median, because a loaded machine can only ever make a trip slower. The precision itself
    # (about +0.1 ms here) is a benchmark's business: `mysql-chaos bench proxy`.
    wire = connect(echo_proxy)
    echo_proxy.add_toxic("latency", latency=100)
    trips = _round_trips(wire)
    assert min(trips) >= 0.100, trips
    assert min(trips) < 0.100 + 0.015, trips


def test_latency_upstream_delays_the_client_to_server_direction(echo_proxy, connect):
    wire = connect(echo_proxy)
    echo_proxy.add_toxic("latency", stream="upstream", latency=50)
    trips = _round_trips(wire, 5)
    assert min(trips) >= 0.050, trips
    assert min(trips) < 0.050 + 0.015, trips


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
    assert wire.quickest_round_trip(3) < 0.05


def test_latency_update_changes_the_delay_of_live_connections(echo_proxy, connect):
    wire = connect(echo_proxy)
    echo_proxy.add_toxic("latency", latency=150)
    assert wire.round_trip() >= 0.149
    echo_proxy.update_toxic("latency_downstream", latency=20)
    assert 0.019 <= wire.quickest_round_trip(3) < 0.100


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


def _state_now(wire) -> str:
    """What the client's socket holds at this instant, without waiting: open, eof, reset, data."""
    wire.sock.settimeout(0)
    try:
        return "data" if wire.sock.recv(1) else "eof"
    except BlockingIOError:
        return "open"
    except ConnectionResetError:
        return "reset"
    finally:
        wire.sock.settimeout(5.0)  # the Wire default


def test_timeout_restarts_its_timer_on_every_chunk(echo_proxy, connect):
    # Upstream arms a fresh timer for each chunk: the link closes a timeout after the last data.
    echo_proxy.add_toxic("timeout", timeout=800)
    wire = connect(echo_proxy)
    started = time.perf_counter()
    for _ in range(12):  # 1.2 s of chunks every 0.1 s, longer than the timeout
        wire.sock.sendall(b"keep")
        time.sleep(0.1)
        assert _state_now(wire) == "open"  # no EOF, no data
    last = time.perf_counter()
    assert wire.receive_until_closed() == (b"", "eof")
    assert time.perf_counter() - last >= 0.6  # 0.8 s after the last chunk, minus its 0.1 s
    assert last - started >= 1.2


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


def test_reset_peer_added_to_a_live_connection_closes_it_with_eof(echo_proxy, connect):
    # SO_LINGER 0 is set when a link opens with the toxic present; a live link closes with FIN.
    wire = connect(echo_proxy)
    assert wire.round_trip() < 0.1
    echo_proxy.add_toxic("reset_peer", timeout=0)
    wire.sock.sendall(b"trigger")
    assert wire.receive_until_closed() == (b"", "eof")
    fresh = connect(echo_proxy)  # opened after the toxic: SO_LINGER 0
    fresh.sock.sendall(b"trigger")
    assert fresh.receive_until_closed() == (b"", "reset")


def test_reset_peer_with_toxicity_zero_still_arms_new_links_for_rst(echo_proxy, connect):
    # Upstream sets SO_LINGER 0 by toxic type, whatever the toxicity: a link opened while the
    # toxic was there closes with RST once the toxic really runs on it.
    echo_proxy.add_toxic("reset_peer", timeout=0, toxicity=0.0)
    armed = connect(echo_proxy)
    assert armed.round_trip() < 0.1
    echo_proxy.update_toxic("reset_peer_downstream", toxicity=1.0)
    armed.sock.sendall(b"trigger")
    assert armed.receive_until_closed() == (b"", "reset")


def test_reset_peer_reset_live_links_is_an_embedded_extension(echo_proxy, connect, embedded):
    # A real Toxiproxy ignores the attribute (and never shows it); here it resets live links too.
    wire = connect(echo_proxy)
    assert wire.round_trip() < 0.1
    echo_proxy.add_toxic("reset_peer", timeout=0, reset_live_links=1)
    wire.sock.sendall(b"trigger")
    assert wire.receive_until_closed() == (b"", "reset")


def test_reset_peer_removed_while_waiting_answers_after_the_reset(echo_proxy, connect):
    # Upstream's toxic sleeps without watching for interruption: DELETE waits for the reset.
    echo_proxy.add_toxic("reset_peer", stream="upstream", timeout=1500)
    wire = connect(echo_proxy)
    wire.sock.sendall(b"trigger")
    time.sleep(0.3)  # let the trigger reach the toxic (not an assertion)
    started = time.perf_counter()
    echo_proxy.remove_toxic("reset_peer_upstream")
    assert time.perf_counter() - started >= 0.9
    assert _state_now(wire) == "reset"  # the RST is there when the answer comes
    assert echo_proxy.toxics() == []


def test_reset_peer_strikes_count_the_links_reset_on_data_an_embedded_extension(
    echo_proxy, connect, embedded
):
    # Read-only, beside the attributes: how many links it closed on data (a fault reads it to
    # say whether it struck). A link that only ends is not counted; at toxicity 0 nothing is.
    echo_proxy.add_toxic("reset_peer", timeout=0, toxicity=0.0)
    idle = connect(echo_proxy)
    assert idle.round_trip() < 0.1
    assert echo_proxy.get_toxic("reset_peer_downstream")["strikes"] == 0
    echo_proxy.update_toxic("reset_peer_downstream", toxicity=1.0)
    for wire in (idle, connect(echo_proxy)):
        wire.sock.sendall(b"trigger")
        assert wire.receive_until_closed() == (b"", "reset")
    connect(echo_proxy).close()  # opened and closed: no data, no strike
    shown = echo_proxy.get_toxic("reset_peer_downstream")
    assert shown["strikes"] == 2 and "strikes" not in shown["attributes"]
    echo_proxy.update_toxic("reset_peer_downstream", timeout=5)  # cannot be set
    assert echo_proxy.get_toxic("reset_peer_downstream")["strikes"] == 2


def test_latency_strikes_count_the_chunks_it_held_an_embedded_extension(
    echo_proxy, connect, embedded
):
    wire = connect(echo_proxy)
    echo_proxy.add_toxic("latency", name="none", latency=0)
    assert wire.round_trip() < 0.1
    assert echo_proxy.get_toxic("none")["strikes"] == 0  # a delay of 0 holds nothing
    echo_proxy.remove_toxic("none")
    echo_proxy.add_toxic("latency", latency=20)
    for _ in range(3):
        wire.round_trip()
    assert echo_proxy.get_toxic("latency_downstream")["strikes"] == 3


def test_a_proxy_counts_the_links_its_disable_closed_an_embedded_extension(
    echo_proxy, connect, embedded
):
    assert echo_proxy.refresh().links_closed == 0
    wires = [connect(echo_proxy) for _ in range(2)]
    for wire in wires:
        assert wire.round_trip() < 0.1
    echo_proxy.disable()
    assert echo_proxy.links_closed == 2
    echo_proxy.enable()
    echo_proxy.disable()  # nothing live: nothing more closed
    assert echo_proxy.refresh().links_closed == 2


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


def _fates(wires, probe: bytes) -> list[bool]:
    """Per wire, whether ``limit_data`` (bytes=1) cut ``probe`` to its first byte and closed."""
    for wire in wires:
        wire.sock.sendall(probe)
    fates = []
    for wire in wires:
        received = b""
        while len(received) < len(probe) and (chunk := wire.sock.recv(len(probe))):
            received += chunk
        assert received in (probe, probe[:1]), received
        fates.append(received == probe[:1])
    return fates


@pytest.mark.parametrize("change", ["added", "removed"])
def test_toxicity_is_rolled_again_on_live_links_when_the_chain_changes(echo_proxy, connect, change):
    # Upstream interrupts and restarts the toxic before the one added or removed, and every
    # restart rolls its toxicity again. limit_data (toxicity 0.5) shows each roll on each link:
    # active, it passes one byte and closes. Links that survive the first probe ran noop; if the
    # chain change rolls again, each is cut by the second probe with probability 0.5. A link
    # shows nothing with probability 0.5 + 0.5 * 0.5 = 0.75, so all 100 do with 0.75**100 (3e-13).
    echo_proxy.add_toxic("limit_data", name="rolled", bytes=1, toxicity=0.5)
    if change == "removed":
        echo_proxy.add_toxic("noop", name="after")
    wires = [connect(echo_proxy) for _ in range(100)]
    first = _fates(wires, b"ab")
    survivors = [wire for wire, cut in zip(wires, first, strict=True) if not cut]
    if change == "added":
        echo_proxy.add_toxic("noop", name="after")
    else:
        echo_proxy.remove_toxic("after")
    assert any(_fates(survivors, b"cd")), f"{len(survivors)} live links, none rolled again"


def test_toxics_chain_in_the_order_added(echo_proxy, connect):
    echo_proxy.add_toxic("latency", name="first", latency=40)
    echo_proxy.add_toxic("latency", name="second", latency=40)
    wire = connect(echo_proxy)
    assert 0.079 <= wire.quickest_round_trip(3) <= 0.1


# -- connect-time toxics: embedded extensions (a real Toxiproxy answers 400 to their types) -----

ERR_1040 = b"\xff\x10\x04#08004Too many connections"


def test_mysql_login_error_answers_new_links_with_an_err_packet_an_embedded_extension(
    echo_proxy, connect, embedded
):
    live = connect(echo_proxy)
    assert live.round_trip() < 0.1
    echo_proxy.add_toxic("mysql_login_error", name="login", code=1040)
    refused = connect(echo_proxy)
    # The packet a full server sends where its greeting would be: header (length, seq 0), then
    # 0xFF, the code, '#', the SQLSTATE and the message; then end of stream.
    data, how = refused.receive_until_closed()
    assert (data[:4], data[4:], how) == (bytes((len(ERR_1040), 0, 0, 0)), ERR_1040, "eof")
    assert live.round_trip() < 0.1  # the live link is untouched
    assert echo_proxy.get_toxic("login")["strikes"] == 1
    echo_proxy.remove_toxic("login")
    assert connect(echo_proxy).round_trip() < 0.1


def test_mysql_login_error_refuses_an_invalid_code_an_embedded_extension(echo_proxy, api, embedded):
    path = f"/proxies/{echo_proxy.name}/toxics"
    body = {"type": "mysql_login_error", "attributes": {"code": 70000}}
    assert api("POST", path, json=body).status_code == 400


def test_mysql_greeting_delay_holds_only_the_first_chunk_of_new_links_an_embedded_extension(
    echo_proxy, connect, embedded
):
    live = connect(echo_proxy)
    assert live.round_trip() < 0.1
    echo_proxy.add_toxic("mysql_greeting_delay", name="stall", delay=300)
    assert live.quickest_round_trip() < 0.1  # a live link is never held
    new = connect(echo_proxy)
    assert new.round_trip() >= 0.3  # its first chunk from upstream: held
    assert new.quickest_round_trip() < 0.1  # every later one passes at once
    assert echo_proxy.get_toxic("stall")["strikes"] == 1


def test_mysql_greeting_delay_removed_lets_a_held_greeting_go_an_embedded_extension(
    echo_proxy, connect, embedded
):
    echo_proxy.add_toxic("mysql_greeting_delay", name="stall", delay=60_000)
    new = connect(echo_proxy)
    new.sock.sendall(b"hello")
    assert new.nothing_arrives_within(0.3)
    echo_proxy.remove_toxic("stall")
    assert new.receive_exactly(5) == b"hello"
