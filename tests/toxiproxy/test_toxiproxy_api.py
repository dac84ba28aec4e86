"""Every endpoint of Toxiproxy 2.x's API: status codes, JSON shapes and defaults."""

from __future__ import annotations

import socket

import pytest

# The keys every server must show; extra ones are allowed (the real Toxiproxy 2.12.0 adds an
# empty "Logger" object to every proxy, a leak of its Go struct that clients ignore).
TOXIC_KEYS = {"attributes", "name", "type", "stream", "toxicity"}
PROXY_KEYS = {"name", "listen", "upstream", "enabled", "toxics"}


def refuses_connections(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), 2).close()
    except ConnectionRefusedError:
        return True
    return False


def test_version_answers_a_json_version_string(api):
    response = api("GET", "/version")
    assert response.status_code == 200
    assert isinstance(response.json()["version"], str)


def test_create_proxy_answers_201_with_the_proxy_listening_on_the_port_it_bound(
    api, proxy_name, echo_upstream
):
    name = proxy_name()
    body = {"name": name, "upstream": echo_upstream.address, "listen": "127.0.0.1:0"}
    response = api("POST", "/proxies", json=body)
    assert response.status_code == 201
    proxy = response.json()
    assert PROXY_KEYS <= set(proxy)
    assert proxy["name"] == name
    assert proxy["upstream"] == echo_upstream.address
    assert proxy["enabled"] is True  # the default
    assert proxy["toxics"] == []
    host, port = proxy["listen"].rsplit(":", 1)
    assert host == "127.0.0.1" and int(port) > 0
    socket.create_connection((host, int(port)), 2).close()


def test_create_proxy_with_a_taken_name_is_409(api, echo_proxy):
    body = {"name": echo_proxy.name, "upstream": echo_proxy.upstream, "listen": "127.0.0.1:0"}
    response = api("POST", "/proxies", json=body)
    assert response.status_code == 409
    assert response.json() == {"error": "proxy already exists", "status": 409}


@pytest.mark.parametrize("missing", ["name", "upstream"])
def test_create_proxy_without_a_required_field_is_400(api, proxy_name, missing):
    body = {"name": proxy_name(), "upstream": "127.0.0.1:1", "listen": "127.0.0.1:0"}
    del body[missing]
    response = api("POST", "/proxies", json=body)
    assert response.status_code == 400
    assert response.json() == {"error": f"missing required field: {missing}", "status": 400}


def test_create_disabled_proxy_does_not_listen(api, proxy_name, echo_upstream):
    body = {"name": proxy_name(), "upstream": echo_upstream.address, "listen": "127.0.0.1:0"}
    response = api("POST", "/proxies", json={**body, "enabled": False})
    assert response.status_code == 201
    assert response.json()["enabled"] is False
    assert response.json()["listen"] == "127.0.0.1:0"


def test_create_proxy_on_a_port_in_use_is_500_as_upstream_answers_go_errors(api, proxy_name):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        body = {"name": proxy_name(), "upstream": "127.0.0.1:1", "listen": f"127.0.0.1:{port}"}
        response = api("POST", "/proxies", json=body)
    assert response.status_code == 500
    assert "address already in use" in response.json()["error"]


def test_list_proxies_is_an_object_keyed_by_name(api, echo_proxy):
    response = api("GET", "/proxies")
    assert response.status_code == 200
    listed = response.json()[echo_proxy.name]
    assert PROXY_KEYS <= set(listed)
    assert listed["listen"] == echo_proxy.listen


def test_show_proxy_answers_200_or_404(api, echo_proxy):
    assert api("GET", f"/proxies/{echo_proxy.name}").json()["listen"] == echo_proxy.listen
    response = api("GET", "/proxies/chaos_test_no_such_proxy")
    assert response.status_code == 404
    assert response.json() == {"error": "proxy not found", "status": 404}


@pytest.mark.parametrize("method", ["PATCH", "POST"])  # POST is the deprecated spelling
def test_update_proxy_changes_only_the_given_fields(api, echo_proxy, method):
    response = api(method, f"/proxies/{echo_proxy.name}", json={"enabled": False})
    assert response.status_code == 200
    updated = response.json()
    assert updated["enabled"] is False
    assert updated["listen"] == echo_proxy.listen
    assert updated["upstream"] == echo_proxy.upstream
    assert refuses_connections(echo_proxy.listen_port)


def test_update_unknown_proxy_is_404(api):
    response = api("PATCH", "/proxies/chaos_test_no_such_proxy", json={"enabled": False})
    assert response.status_code == 404


def test_delete_proxy_answers_204_then_404_and_frees_its_port(api, echo_proxy):
    response = api("DELETE", f"/proxies/{echo_proxy.name}")
    assert response.status_code == 204
    assert response.content == b""
    assert refuses_connections(echo_proxy.listen_port)
    assert api("DELETE", f"/proxies/{echo_proxy.name}").status_code == 404


def test_toxic_list_of_a_new_proxy_is_empty(api, echo_proxy):
    response = api("GET", f"/proxies/{echo_proxy.name}/toxics")
    assert response.status_code == 200
    assert response.json() == []


def test_create_toxic_answers_200_with_upstream_defaults(
    api, echo_proxy, mysql_chaos_embedded_toxiproxy
):
    response = api("POST", f"/proxies/{echo_proxy.name}/toxics", json={"type": "latency"})
    assert response.status_code == 200
    body = response.json()
    # The embedded server's read-only extension (chunks delayed); the real one has no such key.
    strikes = body.pop("strikes", None)
    assert strikes == (0 if mysql_chaos_embedded_toxiproxy is not None else None)
    assert body == {
        "attributes": {"latency": 0, "jitter": 0},
        "name": "latency_downstream",
        "type": "latency",
        "stream": "downstream",
        "toxicity": 1,
    }


@pytest.mark.parametrize(
    ("toxic_type", "attributes"),
    [
        ("latency", {"latency": 0, "jitter": 0}),
        ("bandwidth", {"rate": 0}),
        ("slow_close", {"delay": 0}),
        ("timeout", {"timeout": 0}),
        ("reset_peer", {"timeout": 0}),
        ("slicer", {"average_size": 0, "size_variation": 0, "delay": 0}),
        ("limit_data", {"bytes": 0}),
        ("noop", {}),
    ],
)
def test_every_toxic_type_shows_all_its_attributes(api, echo_proxy, toxic_type, attributes):
    body = {"type": toxic_type, "stream": "upstream", "toxicity": 0.5}
    created = api("POST", f"/proxies/{echo_proxy.name}/toxics", json=body).json()
    assert created["attributes"] == attributes
    assert created["name"] == f"{toxic_type}_upstream"
    assert created["toxicity"] == 0.5


def test_create_toxic_with_an_unknown_type_is_400(api, echo_proxy):
    response = api("POST", f"/proxies/{echo_proxy.name}/toxics", json={"type": "earthquake"})
    assert response.status_code == 400
    assert response.json() == {"error": "invalid toxic type", "status": 400}


def test_create_toxic_with_an_unknown_stream_is_400(api, echo_proxy):
    body = {"type": "latency", "stream": "sideways"}
    response = api("POST", f"/proxies/{echo_proxy.name}/toxics", json=body)
    assert response.status_code == 400
    assert response.json()["error"].startswith("stream was invalid")


def test_create_toxic_with_a_taken_name_is_409_in_either_stream(api, echo_proxy):
    path = f"/proxies/{echo_proxy.name}/toxics"
    assert api("POST", path, json={"type": "latency", "name": "slow"}).status_code == 200
    body = {"type": "timeout", "name": "slow", "stream": "upstream"}
    response = api("POST", path, json=body)
    assert response.status_code == 409
    assert response.json() == {"error": "toxic already exists", "status": 409}


def test_create_toxic_on_an_unknown_proxy_is_404(api):
    response = api("POST", "/proxies/chaos_test_no_such_proxy/toxics", json={"type": "latency"})
    assert response.status_code == 404


def test_toxics_are_listed_upstream_first_then_in_the_order_added(api, echo_proxy):
    path = f"/proxies/{echo_proxy.name}/toxics"
    api("POST", path, json={"type": "latency", "name": "a"})
    api("POST", path, json={"type": "latency", "name": "b", "stream": "upstream"})
    api("POST", path, json={"type": "latency", "name": "c"})
    assert [toxic["name"] for toxic in api("GET", path).json()] == ["b", "a", "c"]
    shown = api("GET", f"/proxies/{echo_proxy.name}").json()["toxics"]
    assert [toxic["name"] for toxic in shown] == ["b", "a", "c"]


def test_show_toxic_answers_200_or_404(api, echo_proxy):
    path = f"/proxies/{echo_proxy.name}/toxics"
    api("POST", path, json={"type": "slow_close", "attributes": {"delay": 5}})
    shown = api("GET", f"{path}/slow_close_downstream")
    assert shown.status_code == 200
    assert TOXIC_KEYS <= set(shown.json())
    assert shown.json()["attributes"] == {"delay": 5}
    missing = api("GET", f"{path}/nothing")
    assert missing.status_code == 404
    assert missing.json() == {"error": "toxic not found", "status": 404}


@pytest.mark.parametrize("method", ["PATCH", "POST"])
def test_update_toxic_merges_attributes_and_keeps_the_rest(api, echo_proxy, method):
    path = f"/proxies/{echo_proxy.name}/toxics"
    body = {"type": "latency", "toxicity": 0.5, "attributes": {"latency": 100, "jitter": 7}}
    api("POST", path, json=body)
    response = api(method, f"{path}/latency_downstream", json={"attributes": {"latency": 200}})
    assert response.status_code == 200
    assert response.json()["attributes"] == {"latency": 200, "jitter": 7}
    assert response.json()["toxicity"] == 0.5
    response = api(method, f"{path}/latency_downstream", json={"toxicity": 0.25})
    assert response.json()["toxicity"] == 0.25
    assert response.json()["attributes"] == {"latency": 200, "jitter": 7}


def test_update_unknown_toxic_is_404(api, echo_proxy):
    path = f"/proxies/{echo_proxy.name}/toxics/nothing"
    assert api("PATCH", path, json={"toxicity": 0.1}).status_code == 404


def test_delete_toxic_answers_204_then_404(api, echo_proxy):
    path = f"/proxies/{echo_proxy.name}/toxics"
    api("POST", path, json={"type": "latency"})
    response = api("DELETE", f"{path}/latency_downstream")
    assert response.status_code == 204
    assert api("GET", path).json() == []
    assert api("DELETE", f"{path}/latency_downstream").status_code == 404


def test_reset_removes_every_toxic_and_enables_every_proxy(api, echo_proxy):
    api("POST", f"/proxies/{echo_proxy.name}/toxics", json={"type": "latency"})
    api("PATCH", f"/proxies/{echo_proxy.name}", json={"enabled": False})
    response = api("POST", "/reset")
    assert response.status_code == 204
    shown = api("GET", f"/proxies/{echo_proxy.name}").json()
    assert shown["enabled"] is True
    assert shown["toxics"] == []
    assert shown["listen"] == echo_proxy.listen
    socket.create_connection((echo_proxy.listen_host, echo_proxy.listen_port), 2).close()


def test_populate_creates_proxies_and_answers_201(api, proxy_name, echo_upstream):
    names = [proxy_name(), proxy_name()]
    body = [{"name": n, "upstream": echo_upstream.address, "listen": "127.0.0.1:0"} for n in names]
    response = api("POST", "/populate", json=body)
    assert response.status_code == 201
    proxies = response.json()["proxies"]
    assert [proxy["name"] for proxy in proxies] == names
    assert all(proxy["enabled"] for proxy in proxies)


def test_populate_keeps_a_matching_proxy_and_replaces_a_different_one(api, echo_proxy):
    same = {"name": echo_proxy.name, "upstream": echo_proxy.upstream, "listen": echo_proxy.listen}
    api("POST", f"/proxies/{echo_proxy.name}/toxics", json={"type": "latency"})
    kept = api("POST", "/populate", json=[same]).json()["proxies"][0]
    assert len(kept["toxics"]) == 1  # untouched
    replaced = api("POST", "/populate", json=[{**same, "upstream": "127.0.0.1:1"}])
    assert replaced.status_code == 201
    assert replaced.json()["proxies"][0]["upstream"] == "127.0.0.1:1"
    assert replaced.json()["proxies"][0]["toxics"] == []


def test_populate_with_an_invalid_entry_creates_nothing_and_is_400(api, proxy_name):
    first = proxy_name()
    body = [{"name": first, "upstream": "127.0.0.1:1"}, {"upstream": "127.0.0.1:1"}]
    response = api("POST", "/populate", json=body)
    assert response.status_code == 400
    assert response.json()["error"] == "missing required field: name at proxy 2"
    assert first not in api("GET", "/proxies").json()


def test_populate_with_an_empty_list_answers_201_with_null_proxies(api):
    response = api("POST", "/populate", json=[])
    assert response.status_code == 201
    assert response.json() == {"proxies": None}


def test_unknown_path_is_404_and_known_path_with_another_method_is_405(api):
    assert api("GET", "/nowhere").status_code == 404
    assert api("PUT", "/proxies").status_code == 405
    assert api("GET", "/reset").status_code == 405


def test_browsers_are_refused_with_403(api):
    headers = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64)"}
    assert api("GET", "/proxies", headers=headers).status_code == 403
