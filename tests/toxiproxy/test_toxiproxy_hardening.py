"""Hostile HTTP input: every malformed request gets a reply, nothing stored breaks a later reply,
ports, paths and toxicity answer as the real Toxiproxy 2.12.0 does (measured on it)."""

from __future__ import annotations

import base64
import re
import socket
from urllib.parse import unquote, urlsplit

import pytest

from chaos.toxiproxy.server import decode, http
from chaos.toxiproxy.server.decode import MAX_NAME_BYTES


def raw_exchange(url: str, data: bytes, half_close: bool = False) -> bytes:
    """Send ``data`` (with the URL's credentials, if any) and read everything the server answers
    until it closes.

    Half-closing is only for a body that must end early: the real server takes a client's FIN
    as the end of the request, and its timeout middleware may then answer 503 instead.
    """
    parts = urlsplit(url)
    if parts.password is not None and b"\n" in data:  # the run's secret, as a client sends it
        credentials = f"{unquote(parts.username or '')}:{unquote(parts.password)}".encode()
        line, _, rest = data.partition(b"\n")
        data = line + b"\nAuthorization: Basic " + base64.b64encode(credentials) + b"\r\n" + rest
    with socket.create_connection((parts.hostname, parts.port), 5) as sock:
        sock.sendall(data)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def status_of(answer: bytes) -> int:
    assert answer.startswith(b"HTTP/1.1 "), answer[:80]
    return int(answer[9:12])


POST = b"POST /proxies HTTP/1.1\r\nHost: x\r\n"


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (POST + b"Content-Length: \xc2\xb2\r\n\r\n{}", 400),
        (POST + b"Content-Length: \xb2\r\n\r\n{}", 400),  # '\xb2'.isdigit() is True in Python
        (POST + b"Content-Length: -1\r\n\r\n{}", 400),
        (POST + b"Content-Length: 1e3\r\n\r\n{}", 400),
        (POST + b"Content-Length: +2\r\n\r\n{}", 400),
        (POST + b"Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}", 400),
        (POST + b"Content-Length: 99999999999999999999999\r\n\r\n", 400),
        (POST + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", 400),
        (POST + b"Transfer-Encoding: gzip\r\n\r\n{}", 501),
        (b"\x00\x01\x02hello there\r\n\r\n", 400),
        (b"GET /version HTTP/1.1\r\n\r\n", 400),  # no Host
        (b"G(T /version HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        (b"GET /version HTTP/2.0\r\nHost: x\r\n\r\n", 505),
        (b"GET /version\r\n\r\n", 400),
        (b"GET /version HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n", 400),
        (b"GET /version HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n", 400),
        (b"GET /ver\x01sion HTTP/1.1\r\nHost: x\r\n\r\n", 400),
        (b"GET /version HTTP/1.1\r\nHost: x\r\nX: " + b"a" * (1100 * 1024) + b"\r\n\r\n", 431),
        (b"GET /proxies/%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    ],
    ids=[
        "superscript-two-utf8",
        "superscript-two-latin1",
        "negative",
        "exponent",
        "plus-sign",
        "two-values",
        "huge",
        "bad-chunk-size",
        "unknown-transfer-coding",
        "not-http",
        "no-host",
        "bad-method",
        "http2",
        "http09",
        "space-in-header-name",
        "header-without-colon",
        "control-byte-in-path",
        "head-over-1MiB",
        "bad-escape",
    ],
)
def test_every_malformed_request_gets_a_status_line(toxiproxy, request_bytes, status):
    assert status_of(raw_exchange(toxiproxy.url, request_bytes)) == status
    assert toxiproxy.version()


def test_bare_lf_line_ends_and_absolute_targets_are_served_as_go_serves_them(toxiproxy):
    lf = b"GET /version HTTP/1.1\nHost: x\nConnection: close\n\n"
    assert status_of(raw_exchange(toxiproxy.url, lf)) == 200
    absolute_request = b"GET http://x/version HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    absolute = raw_exchange(toxiproxy.url, absolute_request)
    assert status_of(absolute) == 200 and b'"version"' in absolute


@pytest.mark.parametrize("port", ["99999", "65536", "-1"])
def test_a_listen_port_outside_0_65535_is_toxiproxys_500_and_creates_nothing(api, proxy_name, port):
    name = proxy_name()
    body = {"name": name, "listen": f"127.0.0.1:{port}", "upstream": "127.0.0.1:1"}
    response = api("POST", "/proxies", json=body)
    assert response.status_code == 500
    assert response.json() == {"error": f"listen tcp: address {port}: invalid port", "status": 500}
    assert name not in api("GET", "/proxies").json()


def test_updating_to_a_bad_listen_port_is_500_and_keeps_the_proxy_as_it_was(api, echo_proxy):
    path = f"/proxies/{echo_proxy.name}"
    before = api("GET", path).json()
    response = api("PATCH", path, json={"listen": "127.0.0.1:99999"})
    assert response.status_code == 500
    assert response.json() == {"error": "address 99999: invalid port", "status": 500}
    assert api("GET", path).json()["listen"] == before["listen"]


def test_populate_stops_at_a_bad_port_keeping_the_proxies_before_it(api, proxy_name):
    first, bad, last = proxy_name(), proxy_name(), proxy_name()
    body = [
        {"name": first, "listen": "127.0.0.1:0", "upstream": "127.0.0.1:1"},
        {"name": bad, "listen": "127.0.0.1:70000", "upstream": "127.0.0.1:1"},
        {"name": last, "listen": "127.0.0.1:0", "upstream": "127.0.0.1:1"},
    ]
    response = api("POST", "/populate", json=body)
    assert response.status_code == 500
    answer = response.json()
    assert answer["error"] == "listen tcp: address 70000: invalid port"
    assert [proxy["name"] for proxy in answer["proxies"]] == [first]
    listed = api("GET", "/proxies").json()
    assert first in listed and bad not in listed and last not in listed


def test_toxicity_is_kept_as_a_float32(api, echo_proxy):
    toxics = f"/proxies/{echo_proxy.name}/toxics"
    created = api("POST", toxics, json={"type": "latency", "toxicity": 0.123456789})
    assert created.json()["toxicity"] == 0.12345679
    assert re.search(rb'"toxicity":0\.12345679[,}]', created.content), created.content
    updated = api("PATCH", f"{toxics}/latency_downstream", json={"toxicity": 0.1})
    assert updated.json()["toxicity"] == 0.1  # 0.1 as float32 is shown as 0.1, as in Go


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("//proxies", "/proxies"),
        ("/proxies/./NAME", "/proxies/NAME"),
        ("/proxies/x/../NAME", "/proxies/NAME"),
        ("//proxies?a=1", "/proxies?a=1"),
    ],
)
def test_unclean_paths_answer_301_to_the_clean_path(toxiproxy, echo_proxy, path, location):
    path = path.replace("NAME", echo_proxy.name)
    request = f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    answer = raw_exchange(toxiproxy.url, request.encode())
    head, _, body = answer.partition(b"\r\n\r\n")
    assert status_of(answer) == 301
    expected = location.replace("NAME", echo_proxy.name).encode()
    assert b"\r\nLocation: " + expected + b"\r\n" in head + b"\r\n"
    assert b"\r\nContent-Length: 0" in head and body == b""


# -- deliberate differences: the real server accepts these and then suffers from them ----------


@pytest.mark.parametrize("where", ["proxy-name", "upstream", "toxic-name"])
def test_a_lone_surrogate_is_400_and_leaves_every_listing_renderable(
    embedded, api, echo_proxy, proxy_name, where
):
    surrogate = b'"x\\ud800"'
    if where == "toxic-name":
        path = f"/proxies/{echo_proxy.name}/toxics"
        body = b'{"type": "latency", "name": ' + surrogate + b"}"
    else:
        path = "/proxies"
        name = surrogate if where == "proxy-name" else f'"{proxy_name()}"'.encode()
        upstream = surrogate if where == "upstream" else b'"127.0.0.1:1"'
        body = b'{"name": ' + name + b', "upstream": ' + upstream + b"}"
    response = api("POST", path, data=body)
    assert response.status_code == 400
    assert "surrogate" in response.json()["error"]
    assert api("GET", "/proxies").status_code == 200
    assert api("GET", f"/proxies/{echo_proxy.name}/toxics").json() == []


def test_names_are_limited_to_256_bytes(embedded, api, proxy_name, echo_proxy):
    longest = proxy_name().ljust(MAX_NAME_BYTES, "x")
    body = {"name": longest, "upstream": "127.0.0.1:1", "listen": "127.0.0.1:0"}
    assert api("POST", "/proxies", json=body).status_code == 201
    too_long = {**body, "name": longest + "x"}
    response = api("POST", "/proxies", json=too_long)
    assert response.status_code == 400
    assert "longer than 256 bytes" in response.json()["error"]
    toxic = {"type": "latency", "name": "é" * 129}  # 258 bytes of UTF-8
    assert api("POST", f"/proxies/{echo_proxy.name}/toxics", json=toxic).status_code == 400


def test_a_body_shorter_than_announced_is_400(embedded, toxiproxy):
    # Embedded only: the real server answers 400 or, racing its own timeout middleware, 503.
    short = POST + b"Content-Length: 10\r\n\r\n{}"
    assert status_of(raw_exchange(toxiproxy.url, short, half_close=True)) == 400


def test_a_body_over_1_mib_is_413_before_it_is_read(embedded, toxiproxy):
    announced = POST + f"Content-Length: {http.MAX_BODY_BYTES + 1}\r\n\r\n".encode()
    assert status_of(raw_exchange(toxiproxy.url, announced)) == 413
    chunk = b"%x\r\n" % (http.MAX_BODY_BYTES // 2 + 1) + b" " * (http.MAX_BODY_BYTES // 2 + 1)
    chunked = POST + b"Transfer-Encoding: chunked\r\n\r\n" + chunk + b"\r\n" + chunk + b"\r\n"
    assert status_of(raw_exchange(toxiproxy.url, chunked)) == 413


def test_a_body_of_exactly_1_mib_is_read(embedded, api):
    body = b"[]" + b" " * (http.MAX_BODY_BYTES - 2)
    response = api("POST", "/populate", data=body)
    assert response.status_code == 201
    assert response.json() == {"proxies": None}


@pytest.mark.parametrize("name", ["a/b", ".", ".."])
def test_a_name_no_path_can_reach_is_400(embedded, api, echo_proxy, name):
    # The real server creates these, and then DELETE answers 404 or 301 for good.
    body = {"name": name, "upstream": "127.0.0.1:1", "listen": "127.0.0.1:0"}
    assert api("POST", "/proxies", json=body).status_code == 400
    toxic = {"type": "latency", "name": name}
    assert api("POST", f"/proxies/{echo_proxy.name}/toxics", json=toxic).status_code == 400
    assert name not in api("GET", "/proxies").json()


def test_a_body_with_more_than_10000_objects_and_arrays_is_400_unparsed(embedded, api):
    limit = decode.MAX_JSON_CONTAINERS
    at_limit = b"[" + b"[]," * (limit - 2) + b"[]]"
    response = api("POST", "/populate", data=at_limit)
    assert response.status_code == 400
    assert "cannot unmarshal array" in response.json()["error"]  # parsed, then refused
    over = b"[" + b"[]," * (limit - 1) + b"[]]"
    response = api("POST", "/populate", data=over)
    assert response.status_code == 400
    assert response.json()["error"] == (
        f"bad request body: more than {limit} JSON objects and arrays"
    )
