"""The verbs every backend has through SQL (set_global, get_global, kill_connection,
client_connection_ids, query), on a real LocalServer."""

from __future__ import annotations

import pymysql
import pytest

from chaos.errors import ServerError, UsageError
from chaos.servers.local import LocalServer

from .support import poll_until, scalar


def test_set_global_is_read_back_by_get_global_and_seen_by_new_sessions(
    mysql_chaos_server, open_connection
):
    original = mysql_chaos_server.get_global("max_connections")
    try:
        mysql_chaos_server.set_global("max_connections", 150)
        assert mysql_chaos_server.get_global("max_connections") == "150"
        assert scalar(open_connection(mysql_chaos_server), "SELECT @@GLOBAL.max_connections") == 150
    finally:
        mysql_chaos_server.set_global("max_connections", int(original))
    assert mysql_chaos_server.get_global("max_connections") == original


def test_set_global_leaves_running_sessions_their_own_value(mysql_chaos_server, open_connection):
    running = open_connection(mysql_chaos_server)
    before = scalar(running, "SELECT @@SESSION.wait_timeout")
    original = mysql_chaos_server.get_global("wait_timeout")
    try:
        mysql_chaos_server.set_global("wait_timeout", 100)
        assert scalar(running, "SELECT @@SESSION.wait_timeout") == before
        assert scalar(open_connection(mysql_chaos_server), "SELECT @@SESSION.wait_timeout") == 100
    finally:
        mysql_chaos_server.set_global("wait_timeout", int(original))


@pytest.mark.parametrize("name", ["wait_timeout = 1; DROP DATABASE test", "1x", "a.b", ""])
def test_set_and_get_global_refuse_what_is_not_a_variable_name(mysql_chaos_server, name):
    with pytest.raises(UsageError, match="not a server variable name"):
        mysql_chaos_server.set_global(name, 1)
    with pytest.raises(UsageError, match="not a server variable name"):
        mysql_chaos_server.get_global(name)


def test_get_global_of_an_unknown_variable_is_a_server_error(mysql_chaos_server):
    with pytest.raises(pymysql.err.OperationalError) as unknown:
        mysql_chaos_server.get_global("no_such_variable")
    assert unknown.value.args[0] == 1193


def test_kill_connection_breaks_the_victim_only(mysql_chaos_server, open_connection):
    victim = open_connection(mysql_chaos_server)
    bystander = open_connection(mysql_chaos_server)

    mysql_chaos_server.kill_connection(victim.thread_id())

    with pytest.raises(pymysql.err.OperationalError) as lost:
        scalar(victim, "SELECT 1")
    assert lost.value.args == (2013, "Lost connection to MySQL server during query")
    assert scalar(bystander, "SELECT 1") == 1
    poll_until(
        lambda: victim.thread_id() not in mysql_chaos_server.client_connection_ids(),
        5,
        "the killed session to leave the process list",
    )
    assert bystander.thread_id() in mysql_chaos_server.client_connection_ids()


def test_kill_connection_of_an_unknown_id_is_a_server_error(mysql_chaos_server):
    with pytest.raises(pymysql.err.MySQLError) as unknown:
        mysql_chaos_server.kill_connection(999_999)
    assert unknown.value.args[0] == 1094  # ER_NO_SUCH_THREAD


def test_client_connection_ids_lists_client_sessions_but_not_the_admin_or_daemons(
    fresh_server, open_connection
):
    first = open_connection(fresh_server)
    second = open_connection(fresh_server)
    expected = sorted([first.thread_id(), second.thread_id()])
    # Sessions the suite's own admin connections just closed leave the list asynchronously.
    poll_until(lambda: fresh_server.client_connection_ids() == expected, 5, f"ids == {expected}")


def test_client_connection_ids_filters_by_database(fresh_server, open_connection):
    in_test = open_connection(fresh_server)
    without_database = open_connection(fresh_server, database=None)
    ids = fresh_server.client_connection_ids(database="test")
    assert in_test.thread_id() in ids
    assert without_database.thread_id() not in ids
    assert without_database.thread_id() in fresh_server.client_connection_ids()
    assert fresh_server.client_connection_ids(database="mysql") == []


def test_query_returns_rows_as_tuples(mysql_chaos_server):
    assert mysql_chaos_server.query("SELECT %s, %s", (1, "two")) == [(1, "two")]


def test_query_on_a_server_that_is_down_is_a_server_error_naming_it(fresh_server):
    fresh_server.shutdown()
    with pytest.raises(ServerError, match=r"cannot connect to local server .*127\.0\.0\.1:\d+"):
        fresh_server.query("SELECT 1")


def test_settings_of_a_server_not_started_raise():
    with pytest.raises(ServerError, match="not started"):
        _ = LocalServer().settings
