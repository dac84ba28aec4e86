"""The proxy keeps MySQL framing right under a protocol toxic: what passes is intact, and the
statement after it is still recognised (a toxic waiting for it strikes exactly there)."""

from __future__ import annotations

import hashlib
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

import pymysql
import pytest
from pymysql.constants import CLIENT, COMMAND

from chaos.servers.local import LocalServer
from chaos.servers.os_user import server_user
from chaos.toxiproxy.client import ToxiproxyApiError
from tests.toxiproxy import protocol_helpers
from tests.toxiproxy.protocol_helpers import (
    admin_query,
    connect,
    needs_real_toxiproxy,
    real_toxiproxy,
)

# The module's fixtures (a disposable server, the embedded proxy, a proxy per test).
server = protocol_helpers.server
toxiproxy = protocol_helpers.toxiproxy
proxy = protocol_helpers.proxy

LOCK_WAIT = "OperationalError(1205, 'injected')"
COM_RESET_CONNECTION = 0x1F  # not among pymysql's constants
PROTOCOL_TOXICS = (
    "mysql_cut",
    "mysql_lose_commit",
    "mysql_lose_commit_ok",
    "mysql_error",
    "mysql_close",
    "mysql_commit_in_flight",
)


def strike_on(proxy, match: str) -> None:
    proxy.add_toxic("mysql_error", name="sentinel", match=match, code=1205, message="injected")


def assert_struck(conn, sql: str) -> None:
    with conn.cursor() as cursor, pytest.raises(pymysql.OperationalError) as failure:
        cursor.execute(sql)
    assert repr(failure.value) == LOCK_WAIT


def test_a_20_mb_result_set_passes_intact(server, proxy):
    strike_on(proxy, "sentinel_after")
    conn = connect(server, proxy, autocommit=True)
    with conn.cursor() as cursor:
        letter = "CHAR(65 + seq % 26 USING ascii)"
        cursor.execute(f"SELECT seq, REPEAT({letter}, 1000) FROM seq_1_to_20000")
        rows = cursor.fetchall()
    assert len(rows) == 20000
    assert all(value == chr(65 + seq % 26) * 1000 for seq, value in rows)
    assert_struck(conn, "SELECT 'sentinel_after'")


def test_a_value_over_16_mb_crosses_packets_intact(server, proxy):
    admin_query(server, "SET GLOBAL max_allowed_packet = 64 * 1024 * 1024")
    strike_on(proxy, "sentinel_after")
    conn = connect(server, proxy, autocommit=True)
    size = 17 * 1024 * 1024 + 3
    with conn.cursor() as cursor:
        cursor.execute(f"SELECT REPEAT('y', {size}), MD5(REPEAT('y', {size}))")
        value, md5 = cursor.fetchone()
    assert len(value) == size and hashlib.md5(value.encode()).hexdigest() == md5
    assert_struck(conn, "SELECT 'sentinel_after'")


def test_multi_results_are_framed_to_their_last_result(server, proxy):
    strike_on(proxy, "sentinel_after")
    conn = connect(server, proxy, autocommit=True, client_flag=CLIENT.MULTI_STATEMENTS)
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1; SELECT 2, ''; DO 1; SELECT '' FROM seq_1_to_3")
        results = [cursor.fetchall()]
        while cursor.nextset():
            results.append(cursor.fetchall())
    assert [tuple(r) for r in results] == [((1,),), ((2, ""),), (), (("",), ("",), ("",))]
    assert_struck(conn, "SELECT 'sentinel_after'")


def read_until_eof(conn) -> list:
    packets = []
    while not (packet := conn._read_packet()).is_eof_packet():
        packets.append(packet)
    return packets


def prepare(conn, sql: str) -> tuple[int, int, int]:
    conn._execute_command(COMMAND.COM_STMT_PREPARE, sql)
    ok = conn._read_packet()
    stmt_id, columns, params = struct.unpack("<xIHH", ok.read(9))
    if params:
        assert len(read_until_eof(conn)) == params
    if columns:
        assert len(read_until_eof(conn)) == columns
    return stmt_id, columns, params


def execute(conn, stmt_id: int, value: int) -> list[bytes]:
    """COM_STMT_EXECUTE with one BIGINT parameter; the binary rows' payloads."""
    payload = struct.pack("<IBI", stmt_id, 0, 1) + b"\x00\x01" + struct.pack("<Hq", 8, value)
    conn._next_seq_id = 0
    conn._write_bytes(struct.pack("<I", len(payload) + 1)[:3] + b"\x00\x17" + payload)
    conn._next_seq_id = 1
    first = conn._read_packet()  # the column count
    assert first.read_length_encoded_integer() == 1
    read_until_eof(conn)  # the column definition
    return [row.get_all_data() for row in read_until_eof(conn)]


def test_prepared_statements_are_framed_and_struck_by_their_text(server, proxy):
    # pymysql has no prepared statements: the commands are written as any client writes them.
    proxy.add_toxic("mysql_error", match="AS prepared_marker", code=1205, message="injected")
    conn = connect(server, proxy, autocommit=True)
    stmt_id, columns, params = prepare(conn, "SELECT ? + 1 AS prepared_marker")
    assert (columns, params) == (1, 1)
    with pytest.raises(pymysql.OperationalError) as failure:
        execute(conn, stmt_id, 41)
    assert repr(failure.value) == LOCK_WAIT  # struck once, by the prepared text
    rows = execute(conn, stmt_id, 41)
    assert rows == [b"\x00\x00" + struct.pack("<q", 42)]
    conn._execute_command(COMMAND.COM_STMT_CLOSE, struct.pack("<I", stmt_id))
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)


def test_ping_init_db_and_reset_connection_keep_the_framing(server, proxy):
    strike_on(proxy, "sentinel_after")
    conn = connect(server, proxy, autocommit=True)
    conn.ping(reconnect=False)
    conn.select_db("test")
    conn._execute_command(COM_RESET_CONNECTION, b"")
    assert conn._read_packet().is_ok_packet()
    assert_struck(conn, "SELECT 'sentinel_after'")


def test_local_infile_passes_through(server, proxy, tmp_path):
    strike_on(proxy, "sentinel_after")
    data = tmp_path / "rows.tsv"
    data.write_text("".join(f"{i}\t{i * 2}\n" for i in range(1, 1001)))
    admin_query(server, "DROP TABLE IF EXISTS test.infile")
    admin_query(server, "CREATE TABLE test.infile (id INT PRIMARY KEY, v INT)")
    conn = connect(server, proxy, autocommit=True, local_infile=True)
    with conn.cursor() as cursor:
        cursor.execute(f"LOAD DATA LOCAL INFILE '{data}' INTO TABLE test.infile")
    assert admin_query(server, "SELECT COUNT(*), SUM(v) FROM test.infile") == [(1000, 1001000)]
    assert_struck(conn, "SELECT 'sentinel_after'")


@pytest.fixture(scope="module")
def tls_server():
    workdir = Path(tempfile.mkdtemp(prefix="wire-tls-"))
    try:
        subprocess.run(
            [
                *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
                *("-subj", "/CN=localhost", "-keyout", str(workdir / "key.pem")),
                *("-out", str(workdir / "cert.pem")),
            ],
            check=True,
            capture_output=True,
        )
        user = server_user()
        if user is not None:  # started as root, the server runs as this user: let it read them
            user.own(workdir)
        options = {"ssl_cert": str(workdir / "cert.pem"), "ssl_key": str(workdir / "key.pem")}
        with LocalServer(options=options, name="wire-tls") as server:
            yield server
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def test_a_tls_link_passes_through_untouched(tls_server, toxiproxy):
    proxy = toxiproxy.create_proxy("wire_tls", f"127.0.0.1:{tls_server.port}")
    try:
        strike_on(proxy, "sentinel_after")  # would strike, were the link seen into
        kwargs = tls_server.settings.pymysql_kwargs(host=proxy.listen_host, port=proxy.listen_port)
        kwargs.pop("ssl_disabled")
        conn = pymysql.connect(**kwargs, ssl={"check_hostname": False}, autocommit=True)
        with conn.cursor() as cursor:
            cursor.execute("SHOW SESSION STATUS LIKE 'Ssl_cipher'")
            assert cursor.fetchone()[1] != ""
            cursor.execute("SELECT 'sentinel_after'")
            assert cursor.fetchone() == ("sentinel_after",)
        conn.close()
    finally:
        proxy.delete()


@needs_real_toxiproxy
def test_a_real_toxiproxy_answers_400_to_every_protocol_toxic():
    with real_toxiproxy() as client:
        proxy = client.create_proxy("wire_real", "127.0.0.1:9", listen="127.0.0.1:0")
        for toxic_type in PROTOCOL_TOXICS:
            with pytest.raises(ToxiproxyApiError) as failure:
                proxy.add_toxic(toxic_type)
            assert failure.value.status == 400
