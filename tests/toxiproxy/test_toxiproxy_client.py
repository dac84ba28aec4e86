"""The client wrapper, the embedded server's start/stop, and the environment switch."""

from __future__ import annotations

import os
import socket
import threading

import pytest
from toxiproxy.exceptions import InvalidToxic, NotFound, ProxyExists

from chaos.errors import PortInUseError, ToxiproxyError, UsageError
from chaos.toxiproxy import (
    EmbeddedToxiproxy,
    ToxiproxyApiError,
    ToxiproxyClient,
    toxiproxy_from_environment,
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def refuses_connections(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), 2).close()
    except ConnectionRefusedError:
        return True
    return False


def child_processes() -> set[str]:
    pids: set[str] = set()
    for task in os.listdir("/proc/self/task"):
        with open(f"/proc/self/task/{task}/children") as children:
            pids.update(children.read().split())
    return pids


def embedded_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "embedded-toxiproxy"]


def test_client_reads_version(toxiproxy):
    assert toxiproxy.version()


def test_create_proxy_returns_a_handle_with_the_bound_address(toxiproxy, proxy_name):
    proxy = toxiproxy.create_proxy(proxy_name(), "127.0.0.1:1")
    assert proxy.listen_host == "127.0.0.1"
    assert proxy.listen_port > 0
    assert proxy.enabled is True
    assert toxiproxy.get_proxy(proxy.name).listen == proxy.listen
    assert proxy.name in toxiproxy.proxies()


@pytest.mark.parametrize(
    ("action", "status", "cause"),
    [
        (lambda c, p: c.get_proxy("chaos_test_nothing"), 404, NotFound),
        (lambda c, p: c.create_proxy(p.name, "127.0.0.1:1"), 409, ProxyExists),
        (lambda c, p: p.add_toxic("earthquake"), 400, InvalidToxic),
        (lambda c, p: p.remove_toxic("nothing"), 404, NotFound),
    ],
    ids=["unknown-proxy", "duplicate-proxy", "bad-toxic", "unknown-toxic"],
)
def test_http_errors_become_toxiproxy_errors_with_status_and_message(
    toxiproxy, echo_proxy, action, status, cause
):
    with pytest.raises(ToxiproxyApiError) as failure:
        action(toxiproxy, echo_proxy)
    assert failure.value.status == status
    assert failure.value.message in str(failure.value)
    assert isinstance(failure.value, ToxiproxyError)
    assert isinstance(failure.value.__cause__, cause)


def test_unreachable_server_is_a_toxiproxy_error_not_a_hang():
    client = ToxiproxyClient(f"http://127.0.0.1:{free_port()}", timeout=2)
    with pytest.raises(ToxiproxyError, match="did not answer"):
        client.version()


def test_non_http_url_is_refused():
    with pytest.raises(ToxiproxyError, match="http://"):
        ToxiproxyClient("127.0.0.1:8474")


def test_update_toxic_merges_attributes(echo_proxy):
    echo_proxy.add_toxic("latency", latency=10, jitter=2)
    updated = echo_proxy.update_toxic("latency_downstream", latency=20, toxicity=0.5)
    assert updated["attributes"] == {"latency": 20, "jitter": 2}
    assert updated["toxicity"] == 0.5
    assert echo_proxy.get_toxic("latency_downstream") == updated


def test_toxic_context_removes_the_toxic_afterwards(echo_proxy):
    with echo_proxy.toxic("latency", name="slow", latency=1) as toxic:
        assert toxic["name"] == "slow"
        assert [t["name"] for t in echo_proxy.toxics()] == ["slow"]
    assert echo_proxy.toxics() == []


def test_down_context_disables_then_enables(echo_proxy):
    with echo_proxy.down():
        assert refuses_connections(echo_proxy.listen_port)
        assert echo_proxy.refresh().enabled is False
    assert echo_proxy.enabled is True
    socket.create_connection(("127.0.0.1", echo_proxy.listen_port), 2).close()


def test_populate_returns_handles(toxiproxy, proxy_name):
    name = proxy_name()
    [proxy] = toxiproxy.populate([{"name": name, "upstream": "127.0.0.1:1"}])
    assert proxy.name == name and proxy.listen_port > 0
    assert toxiproxy.populate([]) == []


def test_reset_and_delete(toxiproxy, echo_proxy):
    echo_proxy.add_toxic("latency")
    echo_proxy.disable()
    toxiproxy.reset()
    assert echo_proxy.refresh().enabled is True
    assert echo_proxy.toxics() == []
    echo_proxy.delete()
    assert echo_proxy.name not in toxiproxy.proxies()


# -- EmbeddedToxiproxy -------------------------------------------------------------------------


def test_thread_mode_stop_leaves_no_thread_or_listening_socket():
    with EmbeddedToxiproxy(mode="thread") as server:
        port = int(server.url.rsplit(":", 1)[1])
        proxy = server.client().create_proxy("p", "127.0.0.1:1")
        assert embedded_threads()
    assert embedded_threads() == []
    assert refuses_connections(port)
    assert refuses_connections(proxy.listen_port)


def test_process_mode_stop_leaves_no_process_or_listening_socket():
    with EmbeddedToxiproxy(mode="process") as server:
        pid = server.pid
        assert str(pid) in child_processes()
        port = int(server.url.rsplit(":", 1)[1])
        proxy = server.client().create_proxy("p", "127.0.0.1:1")
    assert str(pid) not in child_processes()
    assert refuses_connections(port)
    assert refuses_connections(proxy.listen_port)


@pytest.mark.parametrize("mode", ["thread", "process"])
def test_start_on_a_taken_port_is_port_in_use_and_leaves_nothing_behind(mode):
    children = child_processes()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        server = EmbeddedToxiproxy(port=taken.getsockname()[1], mode=mode)
        with pytest.raises(PortInUseError, match="in use"):
            server.start()
    assert embedded_threads() == []
    assert server.url == ""
    assert child_processes() <= children


def test_unknown_mode_is_a_usage_error():
    with pytest.raises(UsageError, match="thread, process"):
        EmbeddedToxiproxy(mode="fiber")


def test_from_environment_without_url_runs_an_embedded_server_for_the_block(monkeypatch):
    monkeypatch.delenv("TOXIPROXY_URL", raising=False)
    with toxiproxy_from_environment(mode="thread") as client:
        assert client.version()
        port = int(client.url.rsplit(":", 1)[1])
    assert refuses_connections(port)
    assert embedded_threads() == []


def test_from_environment_uses_the_url_that_answers(monkeypatch, toxiproxy):
    monkeypatch.setenv("TOXIPROXY_URL", toxiproxy.url)
    with toxiproxy_from_environment() as client:
        assert client.url == toxiproxy.url


def test_from_environment_with_a_dead_url_is_one_clear_toxiproxy_error(monkeypatch):
    monkeypatch.setenv("TOXIPROXY_URL", f"http://127.0.0.1:{free_port()}")
    with pytest.raises(ToxiproxyError) as failure, toxiproxy_from_environment():
        pass
    assert "TOXIPROXY_URL=" in str(failure.value)
    assert "\n" not in str(failure.value)
