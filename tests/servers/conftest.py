"""Fixtures for the server backends: real mariadbd processes, stopped also when a test fails."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import pymysql
import pytest

from chaos.errors import ServerError
from chaos.servers.base import MySQLServer
from chaos.servers.external import ExternalServer
from chaos.servers.local import LocalServer

#: The machine's own MariaDB (Debian's mariadb-server), which the suite does not own.
MACHINE_SERVER_URL = "mysql://root@127.0.0.1:3306/test"


@pytest.fixture(scope="module")
def shared_server() -> Iterator[LocalServer]:
    """One server per module, for tests that leave it as they found it."""
    with LocalServer(name="tests-shared") as server:
        yield server


@pytest.fixture
def fresh_server() -> Iterator[LocalServer]:
    """A server of its own, for tests that restart, kill, freeze or stop it."""
    with LocalServer(name="tests-fresh") as server:
        yield server


@pytest.fixture
def external_server() -> ExternalServer:
    server = ExternalServer.from_url(MACHINE_SERVER_URL)
    try:
        return server.start()
    except ServerError as e:
        pytest.skip(f"the machine's MariaDB is not reachable: {e}")


@pytest.fixture
def open_connection() -> Iterator[Callable[..., pymysql.Connection]]:
    """``open_connection(server, **overrides)``: a client connection closed after the test."""
    opened: list[pymysql.Connection] = []

    def connect(server: MySQLServer, **overrides: object) -> pymysql.Connection:
        conn = pymysql.connect(**server.settings.pymysql_kwargs(**overrides))
        opened.append(conn)
        return conn

    yield connect
    for conn in opened:
        with contextlib.suppress(pymysql.err.Error):  # already closed by pymysql after an error
            conn.close()
