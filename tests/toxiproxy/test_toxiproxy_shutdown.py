"""SIGTERM ends a standalone server within a second, also when its event loop never gets a turn.

The ceiling asserted is 3 s, not the 0.8 s grace the server gives its cleanup: this bounds a
behaviour (the server ends, instead of living on as it did for minutes), and a loaded 2-core
machine may take a moment to schedule the watchdog and reap the process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator

import pymysql
import pytest

from chaos.toxiproxy import ToxiproxyClient
from tests.toxiproxy import protocol_helpers

server = protocol_helpers.server

EXIT_CEILING = 3.0

#: A server whose loop runs a callback that never returns once it is ready: nothing the loop
#: schedules (``add_signal_handler`` callbacks included) can run after that.
STUCK_SERVER = textwrap.dedent(
    """
    import asyncio
    from chaos.toxiproxy.server import serve

    def spin():
        print("spinning", flush=True)
        while True:
            pass

    def ready(url):
        print(url, flush=True)
        asyncio.get_running_loop().call_soon(spin)

    serve("127.0.0.1", 0, on_ready=ready)
    """
)

STANDALONE = {
    "mysql-chaos toxiproxy-server": [
        os.path.join(os.path.dirname(sys.executable), "mysql-chaos"),
        "toxiproxy-server",
    ],
    "python -m chaos.toxiproxy": [sys.executable, "-m", "chaos.toxiproxy"],
}


def _start(command: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
        process.communicate()


def _terminated_in_time(process: subprocess.Popen[str]) -> bool:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(EXIT_CEILING)
    except subprocess.TimeoutExpired:
        return False
    return True


def test_sigterm_ends_a_server_whose_loop_is_stuck_and_says_where(processes):
    process = _start([sys.executable, "-c", STUCK_SERVER])
    processes.append(process)
    assert process.stdout is not None
    assert process.stdout.readline().startswith("http://127.0.0.1:")
    assert process.stdout.readline() == "spinning\n"
    assert _terminated_in_time(process)
    assert process.returncode == 1
    assert "in spin" in process.stderr.read()  # the watchdog's stack dump names the culprit


@pytest.mark.parametrize("command", sorted(STANDALONE))
def test_sigterm_ends_a_standalone_server_under_load_cleanly(server, processes, command):
    process = _start([*STANDALONE[command], "--port", "0"])
    processes.append(process)
    assert process.stdout is not None
    url = process.stdout.readline().split()[-1]
    client = ToxiproxyClient(url, timeout=10)
    proxy = client.create_proxy("loaded", f"127.0.0.1:{server.port}")
    proxy.add_toxic("mysql_error", match="(.+)+;", code=1205, count=0)
    kwargs = server.settings.pymysql_kwargs(
        host=proxy.listen_host, port=proxy.listen_port, read_timeout=10
    )
    stop = threading.Event()
    answered = threading.Event()

    def load() -> None:
        try:
            conn = pymysql.connect(**kwargs, autocommit=True)
            with conn.cursor() as cursor:
                while not stop.is_set():
                    cursor.execute("SELECT '" + "x" * 50 + "' AS a")
                    cursor.fetchall()
                    answered.set()
        except pymysql.MySQLError:
            pass  # the server went away under the load: what this test does

    workers = [threading.Thread(target=load) for _ in range(4)]
    for worker in workers:
        worker.start()
    try:
        assert answered.wait(10)
        assert _terminated_in_time(process)
        assert process.returncode == 0  # its own cleanup finished, the watchdog did not fire
    finally:
        stop.set()
        for worker in workers:
            worker.join(15)
