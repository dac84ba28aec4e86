"""An app server as app mode starts it is its owner's alone: another local user cannot reach it,
it listens on no TCP port, and no process of it holds the database password in its environment.

The attack this answers: another user read the uWSGI port from ``ps`` and posted hundreds of
foreign ``/transfer`` requests into a run's app cells, changing a verdict.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from chaos.appserver.app_server import AppServer, _group_members, find_uwsgi
from chaos.settings import ConnectionSettings

INTRUDER = 65534

#: Run as the intruder: connect to each path given, say what happened.
KNOCK = """
import json, socket, sys
said = {}
for path in sys.argv[1:]:
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect(path)
        said[path] = "connected"
    except OSError as e:
        said[path] = type(e).__name__
    finally:
        s.close()
print(json.dumps(said))
"""


@pytest.fixture(params=["uwsgi", "gunicorn"])
def served(request: pytest.FixtureRequest, settings: ConnectionSettings) -> Iterator[AppServer]:
    if request.param == "uwsgi" and find_uwsgi() is None:
        pytest.fail("uwsgi is missing: the test extra installs the pyuwsgi wheel")
    server = AppServer(
        "mysql_chaos_apps.wsgi:app",
        {"MYSQL_CHAOS_STRATEGY": "safe"},
        server=request.param,
        secrets={"MYSQL_CHAOS_DSN": settings.url(scheme="mysql")},
    )
    with server:
        yield server


def _get(server: AppServer, path: str) -> tuple[int, str]:
    conn = server.connection(timeout=10)
    try:
        conn.request("GET", path)
        reply = conn.getresponse()
        return reply.status, reply.read().decode()
    finally:
        conn.close()


def _members(server: AppServer) -> list[int]:
    assert server.process is not None
    members = _group_members(server.process.pid)
    assert members
    return members


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def _listening_tcp_inodes() -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as lines:
            next(lines)
            for line in lines:
                fields = line.split()
                if fields[3] == "0A":  # LISTEN
                    inodes.add(fields[9])
    return inodes


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to act as a second local OS user")
def test_another_user_cannot_connect_to_the_app_while_its_owner_is_served(served: AppServer):
    assert _get(served, "/?city=London") == (200, 'City "London" is #312')
    paths = [str(p) for p in Path(served.socket_path).parent.glob("*.sock")]
    assert served.socket_path in paths
    python = shutil.which("python3", path="/usr/bin:/bin")
    assert python is not None
    knocked = subprocess.run(
        [
            *("setpriv", f"--reuid={INTRUDER}", f"--regid={INTRUDER}", "--clear-groups"),
            *(python, "-s", "-c", KNOCK, *paths),
        ],
        capture_output=True,
        text=True,
        cwd="/",
        env={"PATH": "/usr/bin:/bin"},
        timeout=60,
        check=True,
    )
    assert json.loads(knocked.stdout) == {path: "PermissionError" for path in paths}
    assert _get(served, "/?city=London")[0] == 200  # and the owner still is served


def test_the_app_server_listens_on_no_tcp_port(served: AppServer):
    assert _get(served, "/?city=London")[0] == 200
    listening = _listening_tcp_inodes()
    for pid in _members(served):
        assert not _socket_inodes(pid) & listening, f"process {pid} listens on TCP"


def test_no_process_of_the_app_server_has_the_password_in_its_environment(
    served: AppServer, settings: ConnectionSettings
):
    assert _get(served, "/?city=London")[0] == 200  # the app got the password: it connected
    password = settings.password.encode()
    assert len(password) >= 24
    for pid in _members(served):
        with open(f"/proc/{pid}/environ", "rb") as environ:
            assert password not in environ.read(), f"process {pid} has it in its environment"
    # The file it came through is gone once the app answered.
    assert list(Path(served.socket_path).parent.glob("secrets*")) == []
