"""Bad input gets Toxiproxy's status codes, never a 500 or a crash; nothing leaks under churn."""

from __future__ import annotations

import os
import socket
import threading
from urllib.parse import urlsplit

import pytest

from chaos.toxiproxy import EmbeddedToxiproxy


def still_serving(api) -> bool:
    return api("GET", "/version").status_code == 200


@pytest.mark.parametrize(
    "body",
    [b"{", b"not json", b"", b"[1, 2", b'{"name": NaN}', b"\xff\xfe"],
    ids=["truncated", "garbage", "empty", "unterminated-array", "nan", "not-utf8"],
)
def test_malformed_json_is_400_bad_request_body_on_every_endpoint(api, echo_proxy, body):
    toxics = f"/proxies/{echo_proxy.name}/toxics"
    api("POST", toxics, json={"type": "latency"})
    for method, path in [
        ("POST", "/proxies"),
        ("PATCH", f"/proxies/{echo_proxy.name}"),
        ("POST", toxics),
        ("PATCH", f"{toxics}/latency_downstream"),
        ("POST", "/populate"),
    ]:
        response = api(method, path, data=body)
        assert response.status_code == 400, (method, path, response.text)
        assert response.json()["error"].startswith("bad request body"), (method, path)
    assert still_serving(api)


@pytest.mark.parametrize(
    "body",
    [
        {"name": 5, "upstream": "127.0.0.1:1"},
        {"name": "x", "upstream": ["127.0.0.1:1"]},
        {"name": "x", "upstream": "127.0.0.1:1", "enabled": "yes"},
        ["not", "an", "object"],
        "a string",
    ],
    ids=["int-name", "list-upstream", "string-enabled", "array-body", "string-body"],
)
def test_proxy_fields_of_the_wrong_type_are_400(api, body):
    response = api("POST", "/proxies", json=body)
    assert response.status_code == 400
    assert response.json()["status"] == 400


@pytest.mark.parametrize(
    "body",
    [
        {"type": "latency", "attributes": {"latency": 1.5}},
        {"type": "latency", "attributes": {"latency": "100"}},
        {"type": "latency", "attributes": {"latency": 1e30}},
        {"type": "latency", "attributes": {"latency": 2**64}},
        {"type": "latency", "attributes": ["latency", 100]},
        {"type": "latency", "toxicity": "high"},
        {"type": "latency", "toxicity": 1e39},
        {"type": 7},
        {"type": "latency", "stream": False},
    ],
    ids=[
        "float-attribute",
        "string-attribute",
        "huge-float-attribute",
        "int64-overflow",
        "array-attributes",
        "string-toxicity",
        "float32-overflow",
        "int-type",
        "bool-stream",
    ],
)
def test_toxic_fields_of_the_wrong_type_are_400(api, echo_proxy, body):
    response = api("POST", f"/proxies/{echo_proxy.name}/toxics", json=body)
    assert response.status_code == 400
    assert response.json()["error"].startswith("bad request body")
    assert api("GET", f"/proxies/{echo_proxy.name}/toxics").json() == []


def test_toxic_update_with_wrong_types_changes_nothing(api, echo_proxy):
    path = f"/proxies/{echo_proxy.name}/toxics"
    api("POST", path, json={"type": "latency", "attributes": {"latency": 10}})
    response = api("PATCH", f"{path}/latency_downstream", json={"toxicity": [1]})
    assert response.status_code == 400
    shown = api("GET", f"{path}/latency_downstream").json()
    assert shown["attributes"]["latency"] == 10 and shown["toxicity"] == 1


def test_unknown_fields_are_ignored_and_keys_match_case_insensitively(api, proxy_name):
    name = proxy_name()
    body = {"Name": name, "UPSTREAM": "127.0.0.1:1", "listen": "127.0.0.1:0", "colour": "red"}
    response = api("POST", "/proxies", json=body)
    assert response.status_code == 201
    assert response.json()["name"] == name


@pytest.mark.parametrize(
    ("toxic_type", "attributes"),
    [
        ("latency", {"latency": -100, "jitter": -5}),
        ("timeout", {"timeout": -1}),
        ("slow_close", {"delay": -1}),
        ("slicer", {"average_size": 8, "size_variation": -3, "delay": -10}),
        ("limit_data", {"bytes": -1}),
        ("latency", {"latency": 2**62}),
        ("timeout", {"timeout": 2**62}),
    ],
    ids=[
        "negative-latency",
        "negative-timeout",
        "negative-delay",
        "negative-slicer",
        "negative-limit",
        "absurd-latency",
        "absurd-timeout",
    ],
)
def test_negative_and_absurd_values_are_accepted_as_upstream_does_and_harm_nothing(
    api, echo_proxy, connect, toxic_type, attributes
):
    path = f"/proxies/{echo_proxy.name}/toxics"
    response = api("POST", path, json={"type": toxic_type, "attributes": attributes})
    assert response.status_code == 200
    assert response.json()["attributes"].items() >= attributes.items()
    wire = connect(echo_proxy)
    wire.sock.sendall(b"data")
    api("DELETE", f"{path}/{toxic_type}_downstream")
    assert still_serving(api)
    assert connect(echo_proxy).round_trip() < 0.5


@pytest.mark.parametrize(
    ("toxic_type", "attributes"),
    [
        ("slicer", {"average_size": 0, "size_variation": 0}),
        ("slicer", {"average_size": 2, "size_variation": 50}),
        ("bandwidth", {"rate": -5}),
    ],
    ids=["slicer-zero", "slicer-variation-over-average", "negative-bandwidth"],
)
def test_values_that_crash_upstream_are_harmless_here(
    api, echo_proxy, connect, embedded, toxic_type, attributes
):
    # Upstream recurses without end (slicer average_size 0), slices out of range (variation
    # above average) or panics (negative rate): the embedded server keeps every byte intact.
    path = f"/proxies/{echo_proxy.name}/toxics"
    assert api("POST", path, json={"type": toxic_type, "attributes": attributes}).ok
    wire = connect(echo_proxy)
    payload = os.urandom(3000)
    wire.sock.sendall(payload)
    if toxic_type == "bandwidth":  # a rate <= 0 lets nothing through until the toxic goes
        assert wire.nothing_arrives_within(0.1)
        api("DELETE", f"{path}/{toxic_type}_downstream")
    assert wire.receive_exactly(len(payload)) == payload
    assert still_serving(api)


def test_a_garbage_request_line_is_400_and_the_server_keeps_serving(api, toxiproxy):
    parts = urlsplit(toxiproxy.url)
    with socket.create_connection((parts.hostname, parts.port), 5) as sock:
        sock.sendall(b"THIS IS NOT HTTP\r\n\r\n")
        assert sock.recv(100).startswith(b"HTTP/1.1 400")
    assert still_serving(api)


def test_a_huge_request_body_is_refused_and_the_server_keeps_serving(api, embedded):
    response = api("POST", "/proxies", data=b"[" * (9 * 1024 * 1024))
    assert response.status_code == 413
    assert still_serving(api)


def test_deeply_nested_json_is_400(api):
    response = api("POST", "/populate", data=b"[" * 100_000 + b"]" * 100_000)
    assert response.status_code == 400


# -- no leaks --------------------------------------------------------------------------------


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def churn(port: int, connections: int, payload: bytes = b"x") -> None:
    """Open, use and close ``connections`` connections, eight at a time."""

    def worker(count: int) -> None:
        for _ in range(count):
            with socket.create_connection(("127.0.0.1", port), 5) as sock:
                sock.sendall(payload)
                assert sock.recv(len(payload)) == payload

    threads = [threading.Thread(target=worker, args=(connections // 8,)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_thousands_of_connections_leave_no_tasks_or_file_descriptors(echo_upstream, eventually):
    with EmbeddedToxiproxy(mode="thread") as server:
        client = server.client()
        plain = client.create_proxy("plain", echo_upstream.address)
        toxic = client.create_proxy("toxic", echo_upstream.address)
        toxic.add_toxic("latency", latency=0)
        toxic.add_toxic("slicer", stream="upstream", average_size=1)
        churn(plain.listen_port, 16)
        churn(toxic.listen_port, 16)
        assert eventually(lambda: echo_upstream.open_connections == 0)
        tasks, fds = server.task_count(), open_fds(os.getpid())

        churn(plain.listen_port, 1600)
        churn(toxic.listen_port, 800)

        assert eventually(lambda: echo_upstream.open_connections == 0)
        assert eventually(lambda: server.task_count() == tasks), server.task_count()
        assert eventually(lambda: open_fds(os.getpid()) <= fds), open_fds(os.getpid())


def test_connections_cut_by_disable_leave_no_tasks(echo_upstream, eventually):
    with EmbeddedToxiproxy(mode="thread") as server:
        proxy = server.client().create_proxy("p", echo_upstream.address)
        tasks = server.task_count()
        proxy.add_toxic("latency", latency=10_000)
        proxy.add_toxic("timeout", stream="upstream", timeout=0)
        sockets = [socket.create_connection(("127.0.0.1", proxy.listen_port)) for _ in range(50)]
        for sock in sockets:
            sock.sendall(b"held")
        proxy.disable()
        for sock in sockets:
            sock.close()
        proxy.enable()
        proxy.remove_toxic("latency_downstream")
        proxy.remove_toxic("timeout_upstream")
        assert eventually(lambda: server.task_count() == tasks), server.task_count()


def test_process_mode_server_leaves_no_file_descriptors_after_churn(echo_upstream, eventually):
    with EmbeddedToxiproxy(mode="process") as server:
        proxy = server.client().create_proxy("p", echo_upstream.address)
        churn(proxy.listen_port, 16)
        fds = open_fds(server.pid)
        churn(proxy.listen_port, 800)
        assert eventually(lambda: open_fds(server.pid) <= fds), open_fds(server.pid)
