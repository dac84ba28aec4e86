"""The error taxonomy, fed with errors produced for real wherever this machine can produce them.

Codes MariaDB 10.11 and pymysql cannot produce here are classified from a pymysql error built
with that code; each such test says why.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pymysql
import pytest
import sqlalchemy
from pymysql.constants import COMMAND

from chaos import taxonomy
from chaos.ports import free_port
from chaos.servers.local import LocalServer
from chaos.taxonomy import classify, describe, error_code, is_disconnect, may_have_run


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with LocalServer(name="tests-taxonomy", options={"innodb_lock_wait_timeout": 1}) as server:
        server.query("CREATE TABLE test.accounts (id INT PRIMARY KEY, balance INT) ENGINE=InnoDB")
        server.query("INSERT INTO test.accounts VALUES (1, 100), (2, 100)")
        yield server


@pytest.fixture
def connect(server) -> Iterator[Callable[..., pymysql.Connection]]:
    opened: list[pymysql.Connection] = []

    def open_connection(**overrides: object) -> pymysql.Connection:
        conn = pymysql.connect(**server.settings.pymysql_kwargs(**overrides))
        opened.append(conn)
        return conn

    yield open_connection
    for conn in opened:
        with contextlib.suppress(pymysql.err.Error):
            conn.close()


def _error_of(action: Callable[[], object]) -> BaseException:
    try:
        action()
    except Exception as e:
        return e
    pytest.fail("the action raised nothing")


def _execute(conn: pymysql.Connection, sql: str) -> None:
    with conn.cursor() as cursor:
        cursor.execute(sql)


def _poll_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout} s: {what}")
        time.sleep(0.01)


def _assert_kind(
    error: BaseException, code: int | None, name: str, *, disconnect: bool, ran: bool
) -> None:
    kind = classify(error)
    assert kind is not None, repr(error)
    assert (kind.code, kind.name) == (code, name), repr(error)
    assert is_disconnect(error) is disconnect
    assert may_have_run(error) is ran


# -- produced for real --------------------------------------------------------------------------
def test_connect_to_a_closed_port_is_2003_and_never_ran():
    port = free_port()
    error = _error_of(lambda: pymysql.connect(host="127.0.0.1", port=port, connect_timeout=2))
    assert error_code(error) == 2003
    _assert_kind(error, 2003, "CR_CONN_HOST_ERROR", disconnect=True, ran=False)


def test_query_after_the_server_closed_an_idle_session_is_2006_and_never_ran(server, connect):
    conn = connect()
    _execute(conn, "SET SESSION wait_timeout = 1")
    _poll_until(lambda: conn.thread_id() not in server.client_connection_ids(), 10, "timeout")
    error = _error_of(lambda: _execute(conn, "SELECT 1"))
    assert error.args[0] == 2006
    _assert_kind(error, 2006, "CR_SERVER_GONE_ERROR", disconnect=True, ran=False)


def test_query_on_a_killed_connection_is_2013_and_may_have_run(server, connect):
    conn = connect()
    server.kill_connection(conn.thread_id())
    error = _error_of(lambda: _execute(conn, "SELECT 1"))
    assert error.args[0] == 2013
    _assert_kind(error, 2013, "CR_SERVER_LOST", disconnect=True, ran=True)


def test_connection_refused_at_max_connections_is_1040_and_never_ran():
    with LocalServer(options={"max_connections": 10}) as small:
        held: list[pymysql.Connection] = []
        try:
            for _ in range(20):
                held.append(pymysql.connect(**small.settings.pymysql_kwargs()))
        except pymysql.err.OperationalError as e:
            error = e
        finally:
            for conn in held:
                conn.close()
    _assert_kind(error, 1040, "ER_CON_COUNT_ERROR", disconnect=True, ran=False)


def test_use_after_close_is_interface_error_0(connect):
    conn = connect()
    conn.close()
    error = _error_of(lambda: _execute(conn, "SELECT 1"))
    assert repr(error) == "InterfaceError(0, '')"
    _assert_kind(error, 0, "USE_AFTER_CLOSE", disconnect=True, ran=False)


def test_ping_on_a_closed_connection_is_already_closed(connect):
    conn = connect()
    conn.close()
    error = _error_of(lambda: conn.ping(reconnect=False))
    assert repr(error) == "Error('Already closed')"
    _assert_kind(error, None, "ALREADY_CLOSED", disconnect=True, ran=False)


def test_interleaved_commands_are_2014_out_of_sync(connect):
    """A query whose reply nobody read, then a ping: what two threads sharing one connection do.
    The private send is the deterministic form of that interleaving."""
    conn = connect()
    conn._execute_command(COMMAND.COM_QUERY, "SELECT 1")
    error = _error_of(lambda: conn.ping(reconnect=False))
    assert repr(error) == "OperationalError(2014, 'Command Out of Sync')"
    _assert_kind(error, 2014, "CR_COMMANDS_OUT_OF_SYNC", disconnect=True, ran=True)


def test_duplicate_key_is_an_answer_not_a_disconnect(connect):
    error = _error_of(lambda: _execute(connect(), "INSERT INTO accounts VALUES (1, 0)"))
    assert isinstance(error, pymysql.err.IntegrityError)
    _assert_kind(error, 1062, "ER_DUP_ENTRY", disconnect=False, ran=False)


def test_lock_wait_timeout_is_an_answer_not_a_disconnect(connect):
    holder, waiter = connect(), connect()
    _execute(holder, "BEGIN")
    _execute(holder, "SELECT * FROM accounts WHERE id = 1 FOR UPDATE")
    error = _error_of(lambda: _execute(waiter, "UPDATE accounts SET balance = 0 WHERE id = 1"))
    _execute(holder, "ROLLBACK")
    _assert_kind(error, 1205, "ER_LOCK_WAIT_TIMEOUT", disconnect=False, ran=False)
    _execute(waiter, "SELECT 1")  # the connection survived the answer


LOCK_WAITS = "SELECT COUNT(*) FROM information_schema.INNODB_TRX WHERE trx_state = 'LOCK WAIT'"


def test_deadlock_is_an_answer_not_a_disconnect(server, connect):
    first, second = connect(), connect()
    for conn, row in ((first, 1), (second, 2)):
        _execute(conn, "BEGIN")
        _execute(conn, f"UPDATE accounts SET balance = balance + 1 WHERE id = {row}")
    errors: list[BaseException] = []

    def attempt(conn: pymysql.Connection, row: int) -> None:
        try:
            _execute(conn, f"UPDATE accounts SET balance = balance + 1 WHERE id = {row}")
        except pymysql.err.MySQLError as e:
            errors.append(e)

    waiting = threading.Thread(target=attempt, args=(first, 2))
    waiting.start()
    try:
        _poll_until(lambda: server.query(LOCK_WAITS) == [(1,)], 10, "the first to wait for row 2")
        attempt(second, 1)
    finally:
        waiting.join(timeout=10)
        for conn in (first, second):
            _execute(conn, "ROLLBACK")
    assert len(errors) == 1, errors  # InnoDB rolls back one victim; the other proceeds
    _assert_kind(errors[0], 1213, "ER_LOCK_DEADLOCK", disconnect=False, ran=False)


def test_write_to_a_read_only_server_is_an_answer_not_a_disconnect(server, connect):
    server.set_global("read_only", 1)
    try:
        error = _error_of(lambda: _execute(connect(), "UPDATE accounts SET balance = 0"))
    finally:
        server.set_global("read_only", 0)
    _assert_kind(error, 1290, "ER_OPTION_PREVENTS_STATEMENT", disconnect=False, ran=False)


def test_raw_socket_error_is_a_disconnect_that_may_have_run():
    with socket.socket() as sock:
        error = _error_of(lambda: sock.connect(("127.0.0.1", free_port())))
    assert isinstance(error, ConnectionRefusedError)
    _assert_kind(error, None, "SOCKET_ERROR", disconnect=True, ran=True)


# -- SQLAlchemy ---------------------------------------------------------------------------------
def test_sqlalchemy_errors_are_judged_by_the_driver_error_inside(server):
    engine = sqlalchemy.create_engine(
        server.settings.url(), connect_args={"ssl_disabled": True}, poolclass=sqlalchemy.NullPool
    )
    try:
        with engine.connect() as conn:
            wrapped = _error_of(
                lambda: conn.execute(sqlalchemy.text("INSERT INTO accounts VALUES (2, 0)"))
            )
    finally:
        engine.dispose()
    assert isinstance(wrapped, sqlalchemy.exc.IntegrityError)
    assert error_code(wrapped) == 1062
    _assert_kind(wrapped, 1062, "ER_DUP_ENTRY", disconnect=False, ran=False)


def test_sqlalchemy_connect_failure_is_a_disconnect():
    engine = sqlalchemy.create_engine(
        f"mysql+pymysql://app:app@127.0.0.1:{free_port()}/test",
        connect_args={"ssl_disabled": True, "connect_timeout": 2},
        poolclass=sqlalchemy.NullPool,
    )
    wrapped = _error_of(engine.connect)
    assert isinstance(wrapped, sqlalchemy.exc.OperationalError)
    _assert_kind(wrapped, 2003, "CR_CONN_HOST_ERROR", disconnect=True, ran=False)


# -- not producible here ------------------------------------------------------------------------
def test_connection_killed_1927_is_a_disconnect_that_may_have_run():
    """MariaDB 10.11 closes a KILLed session's socket without an error packet, idle or mid-query
    (measured: the client socket reads b'' at once), so pymysql reports 2013, never 1927."""
    error = pymysql.err.OperationalError(1927, "Connection was killed")
    _assert_kind(error, 1927, "ER_CONNECTION_KILLED", disconnect=True, ran=True)


def test_server_shutdown_1053_is_a_disconnect_that_may_have_run():
    """During a shutdown MariaDB 10.11 closes running sessions without an error pymysql reads
    (a query in flight during restart gets 2013), so 1053 is not seen here."""
    error = pymysql.err.OperationalError(1053, "Server shutdown in progress")
    _assert_kind(error, 1053, "ER_SERVER_SHUTDOWN", disconnect=True, ran=True)


def test_aborting_connection_1152_is_a_disconnect_that_may_have_run():
    """1152 is what the server writes to its own error log about an aborted session; clients are
    not sent it, so it can only be classified here."""
    error = pymysql.err.OperationalError(1152, "Aborted connection")
    _assert_kind(error, 1152, "ER_ABORTING_CONNECTION", disconnect=True, ran=True)


def test_named_pipe_2045_is_a_disconnect_that_never_ran():
    """Named pipes and shared memory exist only on Windows servers and in the C client."""
    error = pymysql.err.OperationalError(2045, "Can't open shared memory")
    _assert_kind(error, 2045, "CR_NAMEDPIPE_OPEN_ERROR", disconnect=True, ran=False)


def test_server_lost_extended_2055_is_a_disconnect_that_may_have_run():
    """2055 comes from MySQL's C client (libmysqlclient); pymysql never raises it."""
    error = pymysql.err.OperationalError(2055, "Lost connection at 'reading initial packet'")
    _assert_kind(error, 2055, "CR_SERVER_LOST_EXTENDED", disconnect=True, ran=True)


def test_interaction_timeout_4031_is_a_disconnect_that_never_ran():
    """4031 is sent by MySQL >= 8.0.24 when wait_timeout expires; MariaDB sends nothing (here
    that event is the 2006 above)."""
    error = pymysql.err.OperationalError(4031, "The client was disconnected by the server")
    _assert_kind(error, 4031, "ER_CLIENT_INTERACTION_TIMEOUT", disconnect=True, ran=False)


def test_every_code_in_the_table_is_tested_here():
    tested = {
        1040,
        1053,
        1062,
        1152,
        1205,
        1213,
        1290,
        1927,
        2002,  # produced by mysqlclient in tests/drivers/test_drivers_taxonomy.py
        2003,
        2006,
        2013,
        2014,
        2045,
        2055,
        4031,
    }
    assert set(taxonomy.known_codes()) == tested


# -- what is not a database error ---------------------------------------------------------------
def test_unknown_errors_are_not_classified_and_may_have_run():
    assert classify(ValueError("not a database error")) is None
    assert classify(pymysql.err.ProgrammingError(1064, "syntax")) is None
    assert not is_disconnect(ValueError())
    assert may_have_run(ValueError())


def test_describe_names_the_kind_or_the_type():
    assert describe(pymysql.err.OperationalError(2013, "lost")).startswith("CR_SERVER_LOST 2013: ")
    assert describe(ValueError()) == "ValueError"


def test_disconnect_codes_are_exactly_the_disconnect_rows():
    assert taxonomy.disconnect_codes() == frozenset(
        {1040, 1053, 1152, 1927, 2002, 2003, 2006, 2013, 2014, 2045, 2055, 4031}
    )
