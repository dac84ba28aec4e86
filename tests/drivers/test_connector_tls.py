"""mysql-connector logs in to Oracle MySQL over TLS (its caching_sha2_password refuses a full login
over plain TCP and has no RSA key exchange), and to the disposable MariaDB, which offers no TLS,
over plain TCP: the adapter leaves TLS to what the server offers."""

from __future__ import annotations

import pytest

from chaos.drivers import Driver
from chaos.errors import ServerBinaryMissingError
from chaos.servers.local import LocalServer
from chaos.servers.rootfs import MYSQL_FLAVOUR, mysql_binary

from .conftest import loaded


def _cipher(driver: Driver, server: LocalServer) -> str:
    conn = driver.connect(server.settings, connect_timeout=10)
    try:
        cursor = conn.cursor()
        cursor.execute("SHOW SESSION STATUS LIKE 'Ssl_cipher'")
        return str(cursor.fetchall()[0][1])
    finally:
        conn.close()


@pytest.mark.parametrize("name", ["connector-pure", "connector-c"])
def test_a_full_login_to_mysql_goes_over_tls(name):
    driver = loaded(name)
    try:
        mysql_binary()
    except ServerBinaryMissingError as missing:
        pytest.skip(str(missing))
    # A server of its own: no login cached yet, so this one is a full caching_sha2 login.
    with LocalServer(binary=MYSQL_FLAVOUR, name="tests-connector-tls") as server:
        assert _cipher(driver, server).startswith("TLS_")


@pytest.mark.parametrize("name", ["connector-pure", "connector-c"])
def test_the_disposable_mariadb_is_reached_over_plain_tcp(name, mysql_chaos_server):
    assert _cipher(loaded(name), mysql_chaos_server) == ""
