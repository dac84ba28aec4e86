"""Through a proxy to the real MariaDB with pymysql: the errors each fault gives a client."""

from __future__ import annotations

import time

import pymysql
import pytest

CR_CONN_HOST_ERROR = 2003  # can't connect
CR_SERVER_LOST = 2013  # lost connection during query


def connect(settings, proxy, **overrides):
    kwargs = settings.pymysql_kwargs(host=proxy.listen_host, port=proxy.listen_port, **overrides)
    return pymysql.connect(**kwargs)


def select_one(connection) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return cursor.fetchone()


def test_queries_through_a_proxy_get_the_servers_answers(mariadb, mariadb_proxy):
    connection = connect(mariadb, mariadb_proxy)
    try:
        assert select_one(connection) == (1,)
    finally:
        connection.close()


def test_reset_peer_fails_a_new_connection_with_2013_connection_reset(mariadb, mariadb_proxy):
    mariadb_proxy.add_toxic("reset_peer", stream="upstream", timeout=0)
    with pytest.raises(pymysql.OperationalError) as failure:
        connect(mariadb, mariadb_proxy)
    assert failure.value.args[0] == CR_SERVER_LOST
    assert isinstance(failure.value.__context__, ConnectionResetError)


def test_reset_peer_on_a_live_connection_fails_the_next_query_with_lost_connection(
    mariadb, mariadb_proxy
):
    # As upstream: SO_LINGER 0 is set only on links opened after the toxic; a live one gets FIN.
    connection = connect(mariadb, mariadb_proxy)
    try:
        assert select_one(connection) == (1,)
        mariadb_proxy.add_toxic("reset_peer", stream="upstream", timeout=20)
        with pytest.raises(pymysql.OperationalError) as failure:
            select_one(connection)
        assert failure.value.args == (
            CR_SERVER_LOST,
            "Lost connection to MySQL server during query",
        )
    finally:
        connection.close()


def test_disabled_proxy_refuses_new_connections_with_2003(mariadb, mariadb_proxy):
    mariadb_proxy.disable()
    with pytest.raises(pymysql.OperationalError) as failure:
        connect(mariadb, mariadb_proxy)
    assert failure.value.args[0] == CR_CONN_HOST_ERROR
    mariadb_proxy.enable()
    connect(mariadb, mariadb_proxy).close()


def test_disabling_a_proxy_fails_a_live_connection_with_2013(mariadb, mariadb_proxy):
    connection = connect(mariadb, mariadb_proxy)
    try:
        mariadb_proxy.disable()
        with pytest.raises(pymysql.OperationalError) as failure:
            select_one(connection)
        assert failure.value.args[0] == CR_SERVER_LOST
    finally:
        connection.close()


def test_timeout_zero_makes_a_query_hit_the_clients_read_timeout(mariadb, mariadb_proxy):
    connection = connect(mariadb, mariadb_proxy, read_timeout=0.3)
    try:
        mariadb_proxy.add_toxic("timeout", timeout=0)
        with pytest.raises(pymysql.OperationalError) as failure:
            select_one(connection)
        assert failure.value.args[0] == CR_SERVER_LOST
        assert "timed out" in failure.value.args[1]
    finally:
        connection.close()


def test_latency_slows_every_query_by_its_delay(mariadb, mariadb_proxy):
    connection = connect(mariadb, mariadb_proxy)
    try:
        mariadb_proxy.add_toxic("latency", latency=50)
        started = time.perf_counter()
        for _ in range(3):
            assert select_one(connection) == (1,)
        assert time.perf_counter() - started >= 3 * 0.050
    finally:
        connection.close()


def test_limit_data_cuts_a_large_result_with_2013(mariadb, mariadb_proxy):
    connection = connect(mariadb, mariadb_proxy)
    try:
        mariadb_proxy.add_toxic("limit_data", bytes=2000)
        with pytest.raises(pymysql.OperationalError) as failure, connection.cursor() as cursor:
            cursor.execute("SELECT REPEAT('x', 100000)")
        assert failure.value.args[0] == CR_SERVER_LOST
    finally:
        connection.close()
