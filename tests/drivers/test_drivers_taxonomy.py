"""The taxonomy judges every driver's errors as it judges PyMySQL's: each error here is produced
for real, by a real server, through the driver under test."""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import pytest

from chaos.drivers import Connection, Driver
from chaos.ports import free_port
from chaos.servers.local import LocalServer
from chaos.settings import ConnectionSettings
from chaos.taxonomy import classify, is_disconnect, may_have_run

from .conftest import loaded

NOT_AVAILABLE = "CONNECTION_NOT_AVAILABLE"


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with LocalServer(name="tests-drivers-taxonomy") as server:
        server.query("CREATE TABLE test.items (id INT PRIMARY KEY) ENGINE=InnoDB")
        server.query("INSERT INTO test.items VALUES (1)")
        yield server


@pytest.fixture
def connect(server: LocalServer, driver: Driver) -> Iterator[Callable[..., Connection]]:
    opened: list[Connection] = []

    def open_connection(**overrides: object) -> Connection:
        conn = driver.connect(server.settings, **overrides)
        opened.append(conn)
        return conn

    yield open_connection
    for conn in opened:
        with contextlib.suppress(Exception):
            conn.close()


def _error_of(action: Callable[[], object]) -> BaseException:
    try:
        action()
    except Exception as e:
        return e
    pytest.fail("the action raised nothing")


def _execute(conn: Connection, sql: str = "SELECT 1") -> None:
    with conn.cursor() as cursor:
        cursor.execute(sql)


def _assert_kind(error: BaseException, name: str, *, disconnect: bool, ran: bool) -> None:
    kind = classify(error)
    assert kind is not None, repr(error)
    assert kind.name == name, repr(error)
    assert is_disconnect(error) is disconnect, repr(error)
    assert may_have_run(error) is ran, repr(error)


def test_a_query_on_a_killed_connection_is_a_disconnect(server, driver, connect):
    conn = connect()
    server.kill_connection(driver.thread_id(conn))
    error = _error_of(lambda: _execute(conn))
    # mysql-connector's cursor() pings first and finds the session gone before sending anything.
    expected = {
        "mysqlclient": ("CR_SERVER_LOST", True),
        "connector-pure": ("CONNECTION_NOT_AVAILABLE", False),
        "connector-c": ("CONNECTION_NOT_AVAILABLE", False),
    }[driver.name]
    _assert_kind(error, expected[0], disconnect=True, ran=expected[1])


def test_a_statement_on_a_cursor_made_before_the_kill_is_a_disconnect_that_may_have_run(
    server, driver, connect
):
    conn = connect()
    with conn.cursor() as cursor:
        server.kill_connection(driver.thread_id(conn))
        error = _error_of(lambda: cursor.execute("SELECT 1"))
    _assert_kind(error, "CR_SERVER_LOST", disconnect=True, ran=True)


def test_a_query_after_the_server_closed_an_idle_session_is_a_disconnect(server, driver, connect):
    conn = connect()
    _execute(conn, "SET SESSION wait_timeout = 1")
    deadline = time.monotonic() + 10
    while driver.thread_id(conn) in server.client_connection_ids():
        assert time.monotonic() < deadline, "the server kept the idle session"
        time.sleep(0.01)
    error = _error_of(lambda: _execute(conn))
    expected = "CR_SERVER_GONE_ERROR" if driver.name == "mysqlclient" else NOT_AVAILABLE
    _assert_kind(error, expected, disconnect=True, ran=False)


def test_use_after_close_is_a_disconnect_that_never_ran(driver, connect):
    conn = connect()
    conn.close()
    error = _error_of(lambda: _execute(conn))
    expected = "CR_SERVER_GONE_ERROR" if driver.name == "mysqlclient" else NOT_AVAILABLE
    _assert_kind(error, expected, disconnect=True, ran=False)


def test_connect_to_a_closed_port_is_a_disconnect_that_never_ran(driver):
    settings = ConnectionSettings(port=free_port(), connect_timeout=2)
    error = _error_of(lambda: driver.connect(settings))
    # libmariadb (under mysqlclient) says 2002 for a refused TCP connect; connector says 2003.
    expected = "CR_CONNECTION_ERROR" if driver.name == "mysqlclient" else "CR_CONN_HOST_ERROR"
    _assert_kind(error, expected, disconnect=True, ran=False)


def test_duplicate_key_is_an_answer_not_a_disconnect(connect):
    error = _error_of(lambda: _execute(connect(), "INSERT INTO items VALUES (1)"))
    _assert_kind(error, "ER_DUP_ENTRY", disconnect=False, ran=False)


def test_a_syntax_error_of_every_driver_is_not_classified(connect):
    error = _error_of(lambda: _execute(connect(), "SELEC 1"))
    assert classify(error) is None
    assert not is_disconnect(error)


def test_connector_c_commit_on_a_lost_connection_is_its_raw_error_and_a_disconnect(server):
    """use_pure=False lets the C extension's own MySQLInterfaceError out of commit(): not a
    DB-API error class, still a lost connection."""
    driver = loaded("connector-c")
    conn = driver.connect(server.settings)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1")
            server.kill_connection(driver.thread_id(conn))
            _error_of(lambda: cursor.execute("SELECT 1"))
        error = _error_of(conn.commit)
    finally:
        with contextlib.suppress(Exception):
            conn.close()
    assert type(error).__module__ == "_mysql_connector", repr(error)
    _assert_kind(error, "CR_SERVER_LOST", disconnect=True, ran=True)


def test_connector_pure_read_timeout_is_a_disconnect_that_may_have_run():
    driver = loaded("connector-pure")
    with LocalServer(name="tests-drivers-freeze") as server:
        conn = driver.connect(server.settings, read_timeout=1)
        with conn.cursor() as cursor:
            server.freeze()
            try:
                error = _error_of(lambda: cursor.execute("SELECT 1"))
            finally:
                server.thaw()
    assert type(error).__name__ == "ReadTimeoutError", repr(error)
    _assert_kind(error, "CONNECTOR_READ_TIMEOUT", disconnect=True, ran=True)


def test_chaos_imports_no_driver_it_does_not_use():
    code = (
        "import sys, chaos.cli.main, chaos.taxonomy, chaos.drivers, chaos.repro\n"
        "loaded = [m for m in ('MySQLdb', 'mysql.connector', '_mysql_connector') "
        "if m in sys.modules]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
