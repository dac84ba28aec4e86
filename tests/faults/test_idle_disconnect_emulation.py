"""The proxy's emulated 4031 (``mysql8-idle-disconnect``, in front of MariaDB) beside the real
one: Oracle MySQL 9.7 closing a connection idle past its ``wait_timeout``.

Both say goodbye the same way on the wire (one ERR 4031 packet numbered 0, then the close), and
a client cannot tell them apart: each driver raises the same exception, with the same class,
code and message, from both. Skipped, with the reason, where the MySQL root filesystem has not
been made (``./quickstart install-mysql``).
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator

import pymysql
import pytest

from chaos.drivers import DRIVERS, Driver
from chaos.errors import ServerBinaryMissingError
from chaos.faults import FAULTS, Fault
from chaos.runner.armed_fault import ArmedFault
from chaos.runner.environment import Backend
from chaos.servers.local import LocalServer
from chaos.servers.rootfs import MYSQL_FLAVOUR, mysql_binary
from chaos.settings import ConnectionSettings
from chaos.toxiproxy.embedded import EmbeddedToxiproxy

try:
    mysql_binary()
except ServerBinaryMissingError as missing:
    pytest.skip(str(missing), allow_module_level=True)

EMULATION = "mysql8-idle-disconnect"
#: The real server's timer, on the session only: other sessions keep the default.
WAIT_TIMEOUT = 1
#: MySQL's timer runs on whole seconds from the last command: past it, with room for a slow run.
IDLE = WAIT_TIMEOUT + 1.5
READ_TIMEOUT = 10.0


@pytest.fixture(scope="module")
def real_mysql() -> Iterator[LocalServer]:
    with LocalServer(binary=MYSQL_FLAVOUR, name="idle-4031") as server:
        yield server


@pytest.fixture(scope="module")
def emulation() -> Iterator[Fault]:
    """MariaDB behind the embedded proxy, the fault armed (not yet injected)."""
    with (
        EmbeddedToxiproxy(mode="process").start() as proxy,
        ArmedFault(FAULTS.get(EMULATION), Backend(), proxy.client()) as armed,
    ):
        yield armed.fault


def _idle_on_real_mysql(conn: pymysql.Connection) -> None:
    """Idle one connection past a wait_timeout of its own; the server then says goodbye."""
    with conn.cursor() as cursor:
        cursor.execute(f"SET SESSION wait_timeout = {WAIT_TIMEOUT}")
    time.sleep(IDLE)


def _goodbye(sock: socket.socket) -> tuple[bytes, str]:
    """Everything the server sends unasked on an idle connection, and how the stream ends."""
    sock.settimeout(READ_TIMEOUT)
    received = b""
    while True:
        try:
            chunk = sock.recv(4096)
        except ConnectionResetError:
            return received, "reset"
        except TimeoutError:
            return received, "still open"
        if not chunk:
            return received, "closed"
        received += chunk


def _err_packet(data: bytes) -> tuple[int, int, str, str]:
    """(sequence id, error code, SQL state, message) of one MySQL ERR packet."""
    length = int.from_bytes(data[:3], "little")
    assert len(data) == 4 + length, f"one packet expected, got {data!r}"
    payload = data[4:]
    assert payload[0] == 0xFF, f"not an ERR packet: {data!r}"
    assert payload[3:4] == b"#", f"an ERR packet without its SQL state: {data!r}"
    return (
        data[3],
        int.from_bytes(payload[1:3], "little"),
        payload[4:9].decode(),
        payload[9:].decode(),
    )


def test_the_real_and_the_emulated_goodbye_are_the_same_bytes_and_the_same_close(
    real_mysql: LocalServer, emulation: Fault
) -> None:
    real = pymysql.connect(**real_mysql.settings.pymysql_kwargs())
    emulated = pymysql.connect(**emulation.target.client_settings.pymysql_kwargs())
    try:
        _idle_on_real_mysql(real)
        emulation.inject()
        real_goodbye = _goodbye(real._sock)
        emulated_goodbye = _goodbye(emulated._sock)
    finally:
        emulation.heal()
        for conn in (real, emulated):
            with contextlib.suppress(pymysql.err.Error, OSError):
                conn.close()
    data, end = real_goodbye
    # What MySQL 9.7 is measured to send: the 4031 numbered 0, then an orderly close (FIN).
    assert end == "closed", real_goodbye
    sequence, code, state, message = _err_packet(data)
    assert (sequence, code, state) == (0, 4031, "HY000"), real_goodbye
    assert "disconnected by the server because of inactivity" in message
    assert emulated_goodbye == real_goodbye


def _failure(driver: Driver, settings: ConnectionSettings, idle: object) -> BaseException:
    conn = driver.connect(settings, read_timeout=READ_TIMEOUT)
    try:
        idle(conn)
        with pytest.raises(driver.error_class()) as failure:
            cursor = conn.cursor()
            cursor.execute("SELECT 1")
            cursor.fetchall()
        return failure.value
    finally:
        with contextlib.suppress(Exception):
            conn.close()


def _shape(error: BaseException) -> tuple[str, str, tuple[object, ...]]:
    return type(error).__module__, type(error).__qualname__, error.args


@pytest.mark.parametrize("driver_name", ["pymysql", "mysqlclient"])
def test_each_driver_raises_the_same_exception_from_the_real_and_the_emulated_4031(
    real_mysql: LocalServer, emulation: Fault, driver_name: str
) -> None:
    driver = DRIVERS.get(driver_name)
    if not driver.available():
        pytest.skip(f"driver {driver_name} is not installed here (the drivers extra)")

    def idle_on_real_mysql(conn: object) -> None:
        cursor = conn.cursor()
        cursor.execute(f"SET SESSION wait_timeout = {WAIT_TIMEOUT}")
        cursor.close()
        time.sleep(IDLE)

    def emulated_idle_timeout(conn: object) -> None:
        cursor = conn.cursor()
        cursor.execute("SELECT 1")  # the session is past its login: the command phase
        cursor.fetchall()
        cursor.close()
        emulation.inject()

    real = _failure(driver, real_mysql.settings, idle_on_real_mysql)
    try:
        emulated = _failure(driver, emulation.target.client_settings, emulated_idle_timeout)
    finally:
        emulation.heal()
    assert _shape(emulated) == _shape(real)
    if driver_name == "pymysql":
        # PyMySQL reads the packet numbered 0 as out of order: 2013, the 4031 itself unseen;
        # the fault's produces names exactly that.
        assert (
            repr(real)
            == FAULTS.get(EMULATION).produces
            == FAULTS.get("idle-timeout").produces_on(MYSQL_FLAVOUR)
        )
