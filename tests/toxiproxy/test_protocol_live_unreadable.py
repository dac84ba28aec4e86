"""A protocol toxic added to a live link that the client made TLS or compressed at login.

The toxic cannot read such a link, so it must pass it through untouched. It used to parse it
as plain packets from the moment it came: a TLS record's header read as a 200 KB packet, and
the link stalled for good (seen as every mysql-connector cell on MySQL 9.7, which logs in over
TLS, hanging under the wire faults). The connection now reads the client's capability flags at
login, on every link, whatever toxics are on the proxy then.
"""

from __future__ import annotations

import ssl

import pymysql
import pytest

from chaos.errors import ServerBinaryMissingError
from chaos.servers.local import LocalServer
from chaos.servers.rootfs import MYSQL_FLAVOUR, mysql_binary
from tests.toxiproxy import protocol_helpers
from tests.toxiproxy.protocol_helpers import connect

server = protocol_helpers.server
toxiproxy = protocol_helpers.toxiproxy
proxy = protocol_helpers.proxy

#: Matches every SELECT: on a link it can read, it answers each with an error.
EVERY_STATEMENT = {"match": "^select", "code": 1205}


def test_a_toxic_added_to_a_live_compressed_link_passes_it_through(server, proxy):
    mysqldb = pytest.importorskip("MySQLdb", reason="mysqlclient is not installed")
    options = server.settings.pymysql_kwargs(host=proxy.listen_host, port=proxy.listen_port)
    conn = mysqldb.connect(
        host=options["host"],
        port=options["port"],
        user=options["user"],
        password=options["password"],
        database=options["database"],
        compress=True,
        read_timeout=5,
    )
    try:
        cursor = conn.cursor()
        cursor.execute("SELECT 1")
        proxy.add_toxic("mysql_error", name="err", **EVERY_STATEMENT)
        cursor.execute("SELECT 2")  # neither stalled nor answered with the toxic's error
        assert cursor.fetchone() == (2,)
        assert proxy.get_toxic("err")["strikes"] == 0
    finally:
        conn.close()
    plain = connect(server, proxy, autocommit=True, read_timeout=5)  # a link it can read
    try:
        with plain.cursor() as cursor, pytest.raises(pymysql.OperationalError) as refused:
            cursor.execute("SELECT 3")
        assert refused.value.args[0] == 1205
    finally:
        plain.close()


@pytest.fixture(scope="module")
def mysql_server():
    try:
        mysql_binary()
    except ServerBinaryMissingError as missing:
        pytest.skip(str(missing))
    with LocalServer(binary=MYSQL_FLAVOUR, name="live-tls") as mysql:
        yield mysql


def test_a_toxic_added_to_a_live_tls_link_passes_it_through(mysql_server, toxiproxy):
    handle = toxiproxy.create_proxy("live_tls", f"127.0.0.1:{mysql_server.port}")
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        conn = pymysql.connect(
            **mysql_server.settings.pymysql_kwargs(
                host=handle.listen_host,
                port=handle.listen_port,
                ssl_disabled=False,
                ssl=context,
                read_timeout=5,
                autocommit=True,
            )
        )
        try:
            with conn.cursor() as cursor:
                cursor.execute("SHOW STATUS LIKE 'Ssl_cipher'")
                assert cursor.fetchone()[1]  # the link really is TLS
                handle.add_toxic("mysql_error", name="err", **EVERY_STATEMENT)
                cursor.execute("SELECT 2")
                assert cursor.fetchone() == (2,)
            assert handle.get_toxic("err")["strikes"] == 0
        finally:
            conn.close()
    finally:
        handle.delete()
