"""Firewall rules inside a namespace: what a client sees when a middlebox drops or resets it.

The exact exception strings are the point: they are what an application logs in production.
"""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator

import pymysql
import pytest

from chaos.netns import Firewall, NetworkNamespace
from chaos.servers.local import LocalServer

from .support import poll_until, requires_net_admin, scalar

SEED_ERROR = (
    "OperationalError(2006, \"MySQL server has gone away (TimeoutError(110, 'Connection timed "
    "out'))\")"
)
RESET_DURING_QUERY = (
    "OperationalError(2013, 'Lost connection to MySQL server during query "
    "([Errno 104] Connection reset by peer)')"
)


@pytest.fixture
def inside(namespaced_server) -> Iterator[tuple[NetworkNamespace, LocalServer, Firewall]]:
    """The test's thread inside the namespace, and a firewall cleared afterwards."""
    namespace, server = namespaced_server
    firewall = Firewall(namespace, server.settings.port)
    try:
        with namespace.entered():
            yield namespace, server, firewall
    finally:
        firewall.clear()


@contextlib.contextmanager
def _connection(server: LocalServer, **overrides: object) -> Iterator[pymysql.Connection]:
    conn = pymysql.connect(**server.settings.pymysql_kwargs(**overrides))
    try:
        yield conn
    finally:
        with contextlib.suppress(pymysql.err.Error):
            conn.close()


@requires_net_admin
def test_drop_makes_an_idle_connection_fail_with_the_seed_error(inside):
    _namespace, server, firewall = inside
    with _connection(server) as conn:
        firewall.drop_both_ways()
        # Keepalive (1 s idle, 1 s interval, 2 probes) gives up in about 3 s.
        poll_until(lambda: firewall.established_connections() == 0, 30, "keepalive to give up")
        with pytest.raises(pymysql.err.OperationalError) as gone:
            scalar(conn, "SELECT 1")
    assert repr(gone.value) == SEED_ERROR


@requires_net_admin
def test_reset_during_a_query_is_lost_connection_with_connection_reset(inside):
    _namespace, server, firewall = inside
    with _connection(server) as conn:
        # Only data segments are reset: the kernel's delayed ACK of the connect's last answer
        # passes, so the connection is still up when the query itself meets the rule.
        firewall.reset_requests()
        assert firewall.established_connections() == 1
        with pytest.raises(pymysql.err.OperationalError) as lost:
            scalar(conn, "SELECT 1")
    assert repr(lost.value) == RESET_DURING_QUERY


@requires_net_admin
def test_reset_refuses_new_connections_and_clear_heals(inside):
    _namespace, server, firewall = inside
    firewall.reset_both_ways()
    with pytest.raises(pymysql.err.OperationalError) as refused:
        pymysql.connect(**server.settings.pymysql_kwargs(connect_timeout=2))
    assert refused.value.args[0] == 2003
    firewall.clear()
    assert firewall.active is None
    with _connection(server) as conn:
        assert scalar(conn, "SELECT 1") == 1


@requires_net_admin
def test_the_rules_count_the_packets_they_struck(inside):
    _namespace, server, firewall = inside
    assert firewall.packets_struck() is None  # no rule, no count
    firewall.reset_both_ways()
    assert firewall.packets_struck() == 0
    with pytest.raises(pymysql.err.OperationalError):
        pymysql.connect(**server.settings.pymysql_kwargs(connect_timeout=2))
    assert firewall.packets_struck() >= 1  # the SYN, answered with RST
    firewall.clear()
    assert firewall.packets_struck() is None


@requires_net_admin
def test_clear_removes_the_table_and_is_idempotent(inside):
    namespace, _server, firewall = inside
    firewall.clear()  # nothing applied yet: nothing to do
    firewall.drop_both_ways()
    assert firewall.active == "drop"
    assert "mysql_chaos" in namespace.output(["nft", "list", "tables"])
    firewall.clear()
    firewall.clear()
    assert "mysql_chaos" not in namespace.output(["nft", "list", "tables"])


@requires_net_admin
def test_a_new_rule_replaces_the_previous_one(inside):
    namespace, _server, firewall = inside
    firewall.drop_both_ways()
    firewall.reset_both_ways()
    ruleset = namespace.output(["nft", "list", "table", "inet", "mysql_chaos"])
    assert "reject with tcp reset" in ruleset
    assert " drop" not in ruleset


@requires_net_admin
def test_established_connections_counts_client_sockets_to_the_port(inside):
    _namespace, server, firewall = inside
    before = firewall.established_connections()
    with _connection(server), _connection(server):
        assert firewall.established_connections() == before + 2


@requires_net_admin
def test_a_client_end_without_keepalive_outlives_the_drop_and_meets_a_reset_once_forgotten(inside):
    _namespace, server, firewall = inside
    with _connection(server) as conn:
        # As mysql-connector's pure driver: no TCP keepalive on the client's socket.
        conn._sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 0)
        # Only this connection's ends are counted: an earlier test's may still be closing.
        own = conn._sock.getsockname()[1]
        assert firewall.dying_connections(own) == 1  # the server's end: it has keepalive
        firewall.drop_both_ways()
        poll_until(lambda: firewall.dying_connections(own) == 0, 30, "the server's end to die")
        # The client's end never dies by itself: a drop kept forever would hang its next query.
        assert firewall.established_connections() >= 1
        firewall.clear()
        assert firewall.active is None
        with pytest.raises(pymysql.err.OperationalError) as lost:
            scalar(conn, "SELECT 1")
    assert repr(lost.value) == RESET_DURING_QUERY


@requires_net_admin
def test_a_client_end_with_keepalive_is_dying_until_keepalive_gives_up(inside):
    _namespace, server, firewall = inside
    with _connection(server) as conn:
        own = conn._sock.getsockname()[1]
        assert firewall.dying_connections(own) == 2  # both ends idle, both with keepalive
        firewall.drop_both_ways()
        poll_until(lambda: firewall.dying_connections(own) == 0, 30, "keepalive to give up")


CONNECT_REFUSED = (
    "OperationalError(2003, \"Can't connect to MySQL server on '127.0.0.1' "
    '([Errno 111] Connection refused)")'
)
CONNECT_TIMED_OUT = (
    "OperationalError(2003, \"Can't connect to MySQL server on '127.0.0.1' (timed out)\")"
)


def _connect_failure(server: LocalServer, connect_timeout: float) -> tuple[str, float]:
    started = time.monotonic()
    with pytest.raises(pymysql.err.OperationalError) as failed:
        pymysql.connect(**server.settings.pymysql_kwargs(connect_timeout=connect_timeout))
    return repr(failed.value), time.monotonic() - started


@requires_net_admin
def test_refused_new_connections_fail_at_once_and_a_live_session_goes_on(inside):
    _namespace, server, firewall = inside
    with _connection(server) as live:
        firewall.refuse_new_connections()
        assert _connect_failure(server, 5)[0] == CONNECT_REFUSED
        assert _connect_failure(server, 5)[1] < 1.0  # at once, not the connect timeout
        assert scalar(live, "SELECT 1") == 1  # the established session is untouched
    assert len(firewall.connect_attempts()) == 2
    firewall.clear()
    with _connection(server) as conn:
        assert scalar(conn, "SELECT 1") == 1


@requires_net_admin
def test_dropped_new_connections_wait_for_the_connect_timeout_and_a_live_session_goes_on(inside):
    _namespace, server, firewall = inside
    with _connection(server) as live:
        firewall.drop_new_connections()
        failure, seconds = _connect_failure(server, 2)
        assert failure == CONNECT_TIMED_OUT and seconds >= 2.0
        assert scalar(live, "SELECT 1") == 1
    # The SYN sent again after 1 s (the kernel's retransmission) is the same attempt.
    assert firewall.packets_struck() >= 2
    assert len(firewall.connect_attempts()) == 1


@requires_net_admin
def test_each_connect_attempt_is_noted_with_how_long_ago_it_met_the_rule(inside):
    _namespace, server, firewall = inside
    assert firewall.connect_attempts() == []  # no rule, nothing noted
    firewall.refuse_new_connections()
    _connect_failure(server, 1)
    time.sleep(0.5)
    _connect_failure(server, 1)
    ages = sorted(firewall.connect_attempts())
    assert len(ages) == 2
    assert 0.0 <= ages[0] < 0.3 and 0.4 < ages[1] < 1.0, ages


@requires_net_admin
def test_closing_connections_counts_both_ends_until_the_close_is_answered(inside):
    """What a middlebox fault waits for before its rules go in: a connection a client has just
    closed, whose server end has not closed yet, would have its last packets struck."""
    _namespace, server, firewall = inside
    assert firewall.closing_connections() == 0
    with _connection(server) as conn:
        server.freeze()  # the server's kernel acknowledges the FIN; mysqld cannot answer it
        try:
            conn._sock.shutdown(socket.SHUT_WR)
            # The client's end waits in FIN-WAIT-2, the server's in CLOSE-WAIT.
            poll_until(lambda: firewall.closing_connections() == 2, 10, "both ends closing")
        finally:
            server.thaw()
        poll_until(lambda: firewall.closing_connections() == 0, 10, "the close answered")
