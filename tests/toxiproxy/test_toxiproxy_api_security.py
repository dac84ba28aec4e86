"""Another local user cannot drive a run's embedded Toxiproxy, and no proxy opens a port to the
network or takes a privileged port unless the standalone server is told to allow it.

The attacker is a real second OS user (uid 65534 via ``setpriv``) running plain Python: it knows
the API's port (every listening port is visible in /proc/net/tcp) and tries what was done to a
root matrix: list the proxies, create one on ``0.0.0.0:81``, add a 4 s latency to a run's proxy.
"""

from __future__ import annotations

import base64
import json
import os
import re
import selectors
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from chaos.errors import ToxiproxyError
from chaos.toxiproxy import EmbeddedToxiproxy
from chaos.toxiproxy.client import ToxiproxyApiError, redact_url

INTRUDER_UID = 65534

INTRUDER = r"""
import base64, http.client, json, sys
target = json.load(sys.stdin)

def call(method, path, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", target["port"], timeout=10)
    try:
        data = json.dumps(body) if body is not None else None
        connection.request(method, path, body=data, headers=headers or {})
        return connection.getresponse().status
    finally:
        connection.close()

guess = "Basic " + base64.b64encode(b"mysql-chaos:guess").decode()
report = {
    "list": call("GET", "/proxies"),
    "version": call("GET", "/version"),
    "create": call("POST", "/proxies", {"name": "intruder", "listen": "0.0.0.0:81",
                                        "upstream": "127.0.0.1:9"}),
    "toxic": call("POST", "/proxies/" + target["proxy"] + "/toxics",
                  {"type": "latency", "attributes": {"latency": 4000}}),
    "delete": call("DELETE", "/proxies/" + target["proxy"]),
    "guessed_secret": call("GET", "/proxies", headers={"Authorization": guess}),
}
try:
    open("/proc/%d/environ" % target["pid"]).read()
    report["environ"] = "read"
except OSError:
    report["environ"] = "denied"
print(json.dumps(report))
"""


def system_python() -> str:
    return shutil.which("python3", path="/usr/bin:/bin") or str(
        Path(sys.base_prefix) / "bin" / "python3"
    )


def as_intruder(script: str, target: dict[str, object]) -> dict[str, object]:
    result = subprocess.run(
        [
            "setpriv",
            f"--reuid={INTRUDER_UID}",
            f"--regid={INTRUDER_UID}",
            "--clear-groups",
            system_python(),
            "-s",
            "-c",
            script,
        ],
        input=json.dumps(target),
        capture_output=True,
        text=True,
        cwd="/",
        env={"PATH": "/usr/bin:/bin"},
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to act as a second local OS user")
@pytest.mark.parametrize("mode", ["thread", "process"])
def test_another_local_user_can_neither_read_nor_change_a_runs_proxies(mode):
    with EmbeddedToxiproxy(mode=mode) as server:
        client = server.client()
        victim = client.create_proxy("victim", upstream="127.0.0.1:9")
        before = client.get_proxy("victim")
        secret = urlsplit(server.url).password
        assert secret and len(secret) >= 32
        port = urlsplit(server.url).port
        report = as_intruder(INTRUDER, {"port": port, "proxy": victim.name, "pid": server.pid})

        assert report == {
            "list": 401,
            "version": 401,
            "create": 401,
            "toxic": 401,
            "delete": 401,
            "guessed_secret": 401,
            "environ": "denied",
        }
        assert list(client.proxies()) == ["victim"]
        assert client.get_proxy("victim").listen == before.listen
        assert victim.toxics() == []
        # Nothing listens on port 81 for the intruder.
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", 81)) != 0
        # The secret is on no command line (world-readable), in no printed form of the server.
        with open(f"/proc/{server.pid}/cmdline", "rb") as cmdline:
            assert secret.encode() not in cmdline.read()
        assert secret not in repr(server) + repr(client) + server.display_url
        assert secret not in client.display_url


def test_the_owner_reaches_the_api_and_a_wrong_secret_is_401_in_toxiproxys_json():
    with EmbeddedToxiproxy(mode="thread") as server:
        assert server.client().version()
        parts = urlsplit(server.url)
        bare = redact_url(server.url)
        assert bare == server.display_url == f"http://127.0.0.1:{parts.port}"
        for auth in (None, ("mysql-chaos", "wrong"), ("mysql-chaos", parts.password + "x")):
            response = requests.get(f"{bare}/proxies", auth=auth, timeout=5)
            assert response.status_code == 401
            assert response.json()["status"] == 401
            assert "secret" in response.json()["error"]
            assert response.headers["WWW-Authenticate"].startswith("Basic ")
        # Any user name: the password is the secret.
        good = requests.get(f"{bare}/proxies", auth=("any", parts.password), timeout=5)
        assert good.status_code == 200
        raw = base64.b64encode(f"x:{parts.password}".encode()).decode()
        headers = {"Authorization": f"Basic {raw}"}
        assert requests.get(f"{bare}/version", headers=headers, timeout=5).status_code == 200


def test_an_error_from_a_client_with_a_secret_does_not_show_it():
    with EmbeddedToxiproxy(mode="thread") as server:
        client = server.client()
        secret = urlsplit(server.url).password
        with pytest.raises(ToxiproxyApiError) as missing:
            client.get_proxy("none")
    with pytest.raises(ToxiproxyError) as unreachable:
        client.version()  # the server is gone
    for error in (missing.value, unreachable.value):
        assert secret not in str(error)
    assert "127.0.0.1" in str(unreachable.value)


@pytest.mark.parametrize(
    "listen",
    ["0.0.0.0:0", "[::]:0", "127.0.0.1:81", "localhost:1023"],
    ids=["all-interfaces", "all-interfaces-v6", "privileged", "privileged-by-name"],
)
def test_a_runs_server_refuses_proxies_outside_loopback_or_on_privileged_ports(listen):
    with EmbeddedToxiproxy(mode="thread") as server:
        client = server.client()
        with pytest.raises(ToxiproxyApiError) as refused:
            client.create_proxy("p", upstream="127.0.0.1:9", listen=listen)
        assert refused.value.status == 403
        assert "listen address not allowed" in refused.value.message
        disabled = {"name": "p", "upstream": "127.0.0.1:9", "listen": listen, "enabled": False}
        with pytest.raises(ToxiproxyApiError):
            client.request("POST", "/proxies", disabled)
        ok = client.create_proxy("ok", upstream="127.0.0.1:9")
        with pytest.raises(ToxiproxyApiError) as moved:
            client.update("/proxies/ok", {"listen": listen})
        assert moved.value.status == 403
        with pytest.raises(ToxiproxyApiError) as populated:
            client.populate([{"name": "q", "upstream": "127.0.0.1:9", "listen": listen}])
        assert populated.value.status == 403
        assert list(client.proxies()) == ["ok"]
        assert client.get_proxy("ok").listen == ok.listen


# -- the standalone server: Toxiproxy's open API, loopback proxies unless told otherwise -------


CLI = [sys.executable, "-c", "from chaos.cli.main import main; main()"]


@pytest.fixture
def standalone() -> Iterator[Callable[..., str]]:
    processes: list[subprocess.Popen[bytes]] = []

    def start(*flags: str) -> str:
        process = subprocess.Popen(
            [*CLI, "toxiproxy-server", "--port", "0", *flags],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
        )
        processes.append(process)
        assert process.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            assert selector.select(20), "no ready line"
        line = process.stdout.readline().decode()
        return re.search(r"listening on (http://\S+)", line).group(1)

    yield start
    for process in processes:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def free_privileged_port() -> int:
    for port in range(1023, 900, -1):
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip("no free privileged port to try")


def test_the_standalone_server_keeps_toxiproxys_open_api_with_loopback_proxies(standalone):
    url = standalone()
    assert requests.get(f"{url}/proxies", timeout=5).status_code == 200  # no secret asked
    for listen in ("0.0.0.0:0", "127.0.0.1:1000"):
        body = {"name": "p", "upstream": "127.0.0.1:9", "listen": listen}
        response = requests.post(f"{url}/proxies", json=body, timeout=5)
        assert response.status_code == 403
        error = response.json()["error"]
        assert error.startswith("listen address not allowed: ")
        assert "--allow-any-listen" in error
    created = requests.post(
        f"{url}/proxies", json={"name": "ok", "upstream": "127.0.0.1:9"}, timeout=5
    )
    assert created.status_code == 201
    assert created.json()["listen"].startswith("127.0.0.1:")
    assert list(requests.get(f"{url}/proxies", timeout=5).json()) == ["ok"]


@pytest.mark.skipif(os.geteuid() != 0, reason="binding a privileged port needs root")
def test_the_standalone_server_takes_any_listen_address_when_allowed(standalone):
    url = standalone("--allow-any-listen")
    port = free_privileged_port()
    for name, listen in (("wide", "0.0.0.0:0"), ("low", f"127.0.0.1:{port}")):
        body = {"name": name, "upstream": "127.0.0.1:9", "listen": listen}
        response = requests.post(f"{url}/proxies", json=body, timeout=5)
        assert response.status_code == 201, response.text
    socket.create_connection(("127.0.0.1", port), 5).close()
