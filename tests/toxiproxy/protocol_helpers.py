"""Shared by the protocol toxic tests: a disposable MariaDB, the embedded proxy, a plain client.

The client side is plain pymysql: nothing of mysql-chaos runs in the client's path, so what the
tests pin is what any MySQL client through the proxy gets.
"""

from __future__ import annotations

import contextlib
import itertools
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pymysql
import pytest

from chaos.servers.local import LocalServer
from chaos.toxiproxy import EmbeddedToxiproxy, ProxyHandle, ToxiproxyClient
from chaos.toxiproxy.client import ToxiproxyError
from chaos.waiting import wait_until

_names = itertools.count(1)


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with LocalServer() as server:
        yield server


@pytest.fixture(scope="module")
def toxiproxy() -> Iterator[ToxiproxyClient]:
    with EmbeddedToxiproxy(mode="thread") as embedded:
        yield embedded.client()


@pytest.fixture
def proxy(server: LocalServer, toxiproxy: ToxiproxyClient) -> Iterator[ProxyHandle]:
    handle = toxiproxy.create_proxy(f"wire_{next(_names)}", f"127.0.0.1:{server.port}")
    yield handle
    handle.delete()


def connect(server: LocalServer, proxy: ProxyHandle, **overrides: Any) -> pymysql.Connection:
    """A plain pymysql connection through the proxy (autocommit as pymysql's default: off)."""
    kwargs = server.settings.pymysql_kwargs(
        host=proxy.listen_host, port=proxy.listen_port, **overrides
    )
    return pymysql.connect(**kwargs)


def admin_query(server: LocalServer, sql: str, args: Any = None) -> list[tuple[Any, ...]]:
    """Straight to the server over its Unix socket (never through the proxy)."""
    conn = pymysql.connect(**server.admin_settings.pymysql_kwargs(autocommit=True))
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql, args)
            return list(cursor.fetchall())
    finally:
        conn.close()


def fresh_table(server: LocalServer, name: str) -> str:
    """An empty InnoDB table ``test.<name>`` (id, v) with rows 1 and 2 (v = 0)."""
    table = f"test.{name}"
    admin_query(server, f"DROP TABLE IF EXISTS {table}")
    admin_query(server, f"CREATE TABLE {table} (id INT PRIMARY KEY, v INT) ENGINE=InnoDB")
    admin_query(server, f"INSERT INTO {table} VALUES (1, 0), (2, 0)")
    return table


def lost() -> str:
    return "OperationalError(2013, 'Lost connection to MySQL server during query')"


REAL_TOXIPROXY = Path("/tmp/realtoxi/bin/toxiproxy-server")
needs_real_toxiproxy = pytest.mark.skipif(
    not REAL_TOXIPROXY.exists(), reason="no real Toxiproxy built on this machine"
)


def _answers(client: ToxiproxyClient) -> bool:
    try:
        client.version()
    except ToxiproxyError:
        return False
    return True


@contextlib.contextmanager
def real_toxiproxy() -> Iterator[ToxiproxyClient]:
    """The real Toxiproxy binary on a free loopback port, stopped on exit."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    process = subprocess.Popen(
        [str(REAL_TOXIPROXY), "-host", "127.0.0.1", "-port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        client = ToxiproxyClient(f"http://127.0.0.1:{port}")
        assert wait_until(lambda: _answers(client), timeout=30), "real Toxiproxy did not start"
        yield client
    finally:
        process.terminate()
        process.wait(10)
