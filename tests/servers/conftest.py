"""Fixtures for the server backends: real mariadbd processes, stopped also when a test fails.

Tests that leave a server as they found it use the plugin's ``mysql_chaos_server`` (the suite's
own); ``fresh_server`` is for tests that restart, kill, freeze or stop one.

The ExternalServer tests address a server by URL, as a user would a CI service container. By
default that server is the suite's own (tests/conftest.py) reached over TCP with an account made
for the module; ``MYSQL_CHAOS_EXTERNAL_URL`` points them at a server the suite does not own
instead (its account needs CONNECTION ADMIN, or SUPER, for the ``max_connect_errors`` round
trip).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

import pymysql
import pytest
from scratch_accounts import scratch_account

from chaos.servers.base import MySQLServer
from chaos.servers.external import ExternalServer
from chaos.servers.local import LocalServer
from chaos.settings import ConnectionSettings

#: Opt-in: the URL of a server the suite does not own, for the ExternalServer tests.
EXTERNAL_URL_VARIABLE = "MYSQL_CHAOS_EXTERNAL_URL"


@pytest.fixture
def fresh_server() -> Iterator[LocalServer]:
    """A server of its own, for tests that restart, kill, freeze or stop it."""
    with LocalServer(name="tests-fresh") as server:
        yield server


def operator_account(server: MySQLServer) -> AbstractContextManager[ConnectionSettings]:
    """A TCP account like a CI service's operator: its own database, CONNECTION ADMIN (to set
    connection variables and kill sessions) and nothing else; dropped on exit."""
    return scratch_account(server, "ext_", "CONNECTION ADMIN ON *.*")


@pytest.fixture(scope="module")
def external_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The URL the ExternalServer tests address: the opt-in one, else the suite's server."""
    url = os.environ.get(EXTERNAL_URL_VARIABLE, "").strip()
    if url:
        yield url
        return
    with operator_account(request.getfixturevalue("mysql_chaos_server")) as settings:
        yield settings.url(scheme="mysql")


@pytest.fixture
def external_server(external_url: str) -> ExternalServer:
    return ExternalServer.from_url(external_url).start()


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
