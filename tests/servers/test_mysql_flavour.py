"""The MySQL flavour: Oracle MySQL 9 from its root filesystem, with the verbs and the least
privilege of the MariaDB flavour, and the goodbyes MySQL sends (or does not send).

Skipped, with the one reason, where ``mysql-chaos server install mysql`` has not been run.
Needs no network once the root filesystem is cached.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import uuid

import pymysql
import pytest

from chaos.errors import ServerBinaryMissingError
from chaos.owner import process_start_time
from chaos.servers.local import LocalServer
from chaos.servers.os_user import server_user
from chaos.servers.rootfs import MYSQL_FLAVOUR, mysql_binary
from chaos.servers.template import suite_cache_dir
from chaos.sweep import sweep

from .support import poll_until, process_cmdline, scalar
from .test_privilege import (
    ACCESS_DENIED,
    INTRUDER,
    NEEDS_PRIVILEGE,
    SECURE_FILE_PRIV,
    _as_user,
    _proc_ids,
)
from .test_privilege import intruder_python_path as intruder_python_path  # a fixture

try:
    mysql_binary()
except ServerBinaryMissingError as missing:
    pytest.skip(str(missing), allow_module_level=True)

#: Read before any fixture runs: pytester moves HOME, and with it the default cache.
CACHE_HOME = str(suite_cache_dir().parent)
LOST = "Lost connection to MySQL server during query"
IDLE_DISCONNECT = 4031


@pytest.fixture(scope="module")
def mysql_server():
    with LocalServer(binary=MYSQL_FLAVOUR, name="mysql-flavour") as server:
        yield server


@pytest.fixture
def fresh_mysql():
    with LocalServer(binary=MYSQL_FLAVOUR, name="mysql-fresh") as server:
        yield server


def _connect(server: LocalServer, **overrides: object) -> pymysql.Connection:
    return pymysql.connect(**server.settings.pymysql_kwargs(**overrides))


def _bytes_until_close(conn: pymysql.Connection, timeout: float = 30.0) -> bytes:
    """Everything the server sends on an idle connection until it closes it."""
    sock: socket.socket = conn._sock  # the client's own socket: what the server really sent
    sock.settimeout(timeout)
    received = b""
    while chunk := sock.recv(4096):
        received += chunk
    return received


# -- start and the verbs ------------------------------------------------------------------------
def test_it_is_oracle_mysql_9_from_the_root_filesystem(mysql_server):
    assert mysql_server.binary.flavor == "mysql" and mysql_server.binary.root is not None
    conn = _connect(mysql_server)
    try:
        assert scalar(conn, "SELECT VERSION()").startswith("9.")
        assert "MariaDB" not in scalar(conn, "SELECT VERSION()")
        assert scalar(conn, "SELECT @@performance_schema") == 0
        assert scalar(conn, "SELECT DATABASE()") == "test"
    finally:
        conn.close()
    # The X Protocol would listen on a port of its own: it is off.
    status = mysql_server.query(
        "SELECT PLUGIN_STATUS FROM information_schema.PLUGINS WHERE PLUGIN_NAME = 'mysqlx'"
    )
    assert status in ([], [("DISABLED",)])
    cmdline = process_cmdline(mysql_server.pid)
    assert os.path.basename(cmdline[0]).startswith("ld-linux")  # the root filesystem's loader
    assert "--mysqlx=OFF" in cmdline


def test_each_copy_of_the_template_has_its_own_server_uuid(mysql_server, fresh_mysql):
    assert mysql_server.get_global("server_uuid") != fresh_mysql.get_global("server_uuid")


def test_restart_kill_and_freeze_keep_the_port_and_the_committed_data(fresh_mysql):
    port = fresh_mysql.port
    fresh_mysql.query("CREATE TABLE test.t (id INT PRIMARY KEY)")
    fresh_mysql.query("INSERT INTO test.t VALUES (1)")
    fresh_mysql.restart()
    fresh_mysql.kill()  # SIGKILL, then a start through crash recovery
    assert fresh_mysql.port == port
    assert fresh_mysql.query("SELECT id FROM test.t") == [(1,)]
    fresh_mysql.freeze()
    try:
        with pytest.raises(pymysql.err.OperationalError) as hung:
            _connect(fresh_mysql, read_timeout=1)  # TCP is accepted, the greeting never comes
        assert hung.value.args[0] == 2013
    finally:
        fresh_mysql.thaw()
    conn = _connect(fresh_mysql)
    assert scalar(conn, "SELECT COUNT(*) FROM test.t") == 1
    conn.close()


def test_set_global_reaches_new_sessions(fresh_mysql):
    fresh_mysql.set_global("wait_timeout", 7)
    assert fresh_mysql.get_global("wait_timeout") == "7"
    conn = _connect(fresh_mysql)
    assert scalar(conn, "SELECT @@SESSION.wait_timeout") == 7
    conn.close()


# -- the goodbyes ---------------------------------------------------------------------------------
def test_wait_timeout_expiry_sends_4031_and_pymysql_raises_2013_without_it(fresh_mysql):
    fresh_mysql.set_global("wait_timeout", 1)
    seen = _connect(fresh_mysql)
    packet = _bytes_until_close(seen)
    seen.close()
    # One ERR packet: 4-byte header, 0xff, the code (little-endian), '#', the SQLSTATE.
    assert packet[4] == 0xFF
    assert int.from_bytes(packet[5:7], "little") == IDLE_DISCONNECT
    assert b"inactivity" in packet

    conn = _connect(fresh_mysql)
    thread_id = conn.thread_id()
    poll_until(
        lambda: thread_id not in fresh_mysql.client_connection_ids(),
        timeout=30,
        what="the server to close the idle session",
    )
    with pytest.raises(pymysql.err.OperationalError) as lost:
        scalar(conn, "SELECT 1")
    assert lost.value.args == (2013, LOST)


def test_kill_of_an_idle_session_sends_no_error_packet(mysql_server):
    conn = _connect(mysql_server)
    mysql_server.kill_connection(conn.thread_id())
    assert _bytes_until_close(conn) == b""  # MariaDB sends ERR 1927 here
    with pytest.raises(pymysql.err.OperationalError) as lost:
        scalar(conn, "SELECT 1")
    assert lost.value.args == (2013, LOST)


def test_shutdown_sends_no_error_packet(fresh_mysql):
    conn = _connect(fresh_mysql)
    fresh_mysql.shutdown()
    assert _bytes_until_close(conn) == b""
    conn.close()


# -- least privilege ------------------------------------------------------------------------------
def test_accounts_are_root_on_the_socket_app_over_tcp_and_locked_system_ones(mysql_server):
    accounts = set(mysql_server.query("SELECT user, host, account_locked FROM mysql.user"))
    assert accounts == {
        ("root", "localhost", "N"),
        ("app", "%", "N"),
        ("mysql.infoschema", "localhost", "Y"),
        ("mysql.session", "localhost", "Y"),
        ("mysql.sys", "localhost", "Y"),
    }
    plugins = {row[0] for row in mysql_server.query("SELECT plugin FROM mysql.user")}
    assert plugins == {"caching_sha2_password"}
    for password in ("", "root"):
        with pytest.raises(pymysql.err.OperationalError) as refused:
            pymysql.connect(
                host="127.0.0.1",
                port=mysql_server.port,
                user="root",
                password=password,
                ssl_disabled=True,
            )
        assert refused.value.args[0] == ACCESS_DENIED


def test_app_logs_in_without_tls_after_a_restart_through_the_servers_rsa_key(fresh_mysql):
    # A restart empties caching_sha2_password's cache: the next login is a full one, which a
    # client without TLS can make only with the server's RSA public key.
    fresh_mysql.restart()
    conn = _connect(fresh_mysql)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SHOW SESSION STATUS LIKE 'Ssl_cipher'")
            assert cursor.fetchone()[1] == ""
        assert conn.server_public_key and b"PUBLIC KEY" in conn.server_public_key
    finally:
        conn.close()


def test_file_io_is_confined_to_the_files_directory(mysql_server, tmp_path):
    files = mysql_server.files_dir
    assert mysql_server.get_global("secure_file_priv") == files + "/"
    conn = mysql_server.admin_connect()
    try:
        with conn.cursor() as cursor, pytest.raises(pymysql.err.OperationalError) as refused:
            cursor.execute(f"SELECT 'x' INTO OUTFILE '{tmp_path / 'outside.txt'}'")
        assert refused.value.args[0] == SECURE_FILE_PRIV
    finally:
        conn.close()


def test_server_never_runs_as_os_root_and_the_workdir_is_private(mysql_server):
    uid, gid = _proc_ids(mysql_server.pid)
    expected = server_user()
    if expected is None:
        assert (uid, gid) == (os.getuid(), os.getgid())
    else:
        assert uid != 0 and (uid, gid) == (expected.uid, expected.gid)
    assert mysql_server.workdir.stat().st_mode & 0o777 == 0o700
    assert mysql_server.workdir.stat().st_uid == uid
    assert not any(arg.startswith("--user") for arg in process_cmdline(mysql_server.pid))


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to act as a second local OS user")
def test_a_second_local_user_cannot_log_in_as_root_write_files_or_read_the_password(
    mysql_server, intruder_python_path
):
    server_uid = _proc_ids(mysql_server.pid)[0]
    intruder = 65533 if server_uid == 65534 else 65534
    outfile = f"/tmp/privilege-test-{uuid.uuid4().hex}"
    target = {
        "port": mysql_server.port,
        "socket": mysql_server.socket_path,
        "workdir": str(mysql_server.workdir),
        "password": mysql_server.settings.password,
        "outfile": outfile,
    }
    report = _as_user(intruder, INTRUDER, intruder_python_path, input=json.dumps(target))
    assert report["logins"] == {
        "tcp 'root'/''": ACCESS_DENIED,
        "tcp 'root'/'root'": ACCESS_DENIED,
        "tcp 'app'/'app'": ACCESS_DENIED,
        "tcp 'app'/''": ACCESS_DENIED,
        "tcp ''/''": ACCESS_DENIED,
        "tcp app/leaked": "connected",
    }
    assert report["outfiles"] == {"tcp app/leaked": NEEDS_PRIVILEGE}
    code, message = report["socket"]
    assert code == 2003 and "Permission denied" in message
    assert report["workdir"] == "denied"
    assert report["password_seen_in"] == []
    assert not any(name.startswith(os.path.basename(outfile)) for name in os.listdir("/tmp"))


# -- nothing left after SIGKILL ------------------------------------------------------------------
OWNER = """
import time
from chaos.servers.local import LocalServer
server = LocalServer(binary="mysql").start()
print(server.pid, server.workdir, flush=True)
time.sleep(120)
"""


def test_a_sigkilled_owners_server_dies_with_it_and_the_next_sweep_removes_its_datadir():
    owner = subprocess.Popen(
        [sys.executable, "-c", OWNER], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        server_pid, workdir = owner.stdout.readline().split()
    finally:
        owner.kill()
        owner.communicate(timeout=30)
    # The parent-death signal, armed after the drop to the server's account, reaches mysqld
    # through the root filesystem's loader too.
    poll_until(lambda: process_start_time(int(server_pid)) is None, what="mysqld to die")
    assert os.path.isdir(workdir)
    assert f"directory {workdir}" in sweep()
    assert not os.path.exists(workdir)


# -- picked per run -------------------------------------------------------------------------------
def test_the_plugin_option_gives_the_session_and_every_fault_a_mysql_server(pytester, monkeypatch):
    # pytester gives the run a home of its own: keep this one's cache, root filesystem included.
    monkeypatch.setenv("XDG_CACHE_HOME", CACHE_HOME)
    pytester.makepyfile(
        """
        def test_session_server(mysql_chaos_server):
            assert mysql_chaos_server.binary.flavor == "mysql"

        def test_fault_server(mysql_chaos_fault):
            assert "MariaDB" not in mysql_chaos_fault.server.get_global("version")
        """
    )
    result = pytester.runpytest_subprocess(
        "--mysql-chaos-server", "mysql", "--mysql-chaos-fault", "server-crash"
    )
    result.assert_outcomes(passed=2)
