"""Protocol toxics through the embedded proxy, seen by a plain pymysql client and the server."""

from __future__ import annotations

import pymysql
import pytest

from tests.toxiproxy import protocol_helpers
from tests.toxiproxy.protocol_helpers import admin_query, connect, fresh_table, lost

# The module's fixtures (a disposable server, the embedded proxy, a proxy per test).
server = protocol_helpers.server
toxiproxy = protocol_helpers.toxiproxy
proxy = protocol_helpers.proxy


def test_lost_commit_fails_with_2013_and_the_row_is_absent(server, proxy):
    table = fresh_table(server, "lost_commit")
    proxy.add_toxic("mysql_lose_commit", stream="upstream")
    conn = connect(server, proxy)
    with conn.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} VALUES (3, 3)")
    with pytest.raises(pymysql.OperationalError) as failure:
        conn.commit()
    assert repr(failure.value) == lost()
    assert admin_query(server, f"SELECT id FROM {table} WHERE id = 3") == []


def test_lost_commit_ok_fails_with_2013_and_the_row_is_present(server, proxy):
    table = fresh_table(server, "lost_commit_ok")
    proxy.add_toxic("mysql_lose_commit_ok")
    conn = connect(server, proxy)
    with conn.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} VALUES (3, 3)")
    with pytest.raises(pymysql.OperationalError) as failure:
        conn.commit()
    assert repr(failure.value) == lost()
    assert admin_query(server, f"SELECT id FROM {table} WHERE id = 3") == [(3,)]


def test_cut_after_the_second_statement_of_a_transaction_rolls_it_back(server, proxy):
    table = fresh_table(server, "cut")
    proxy.add_toxic("mysql_cut", statements=2)
    conn = connect(server, proxy)
    with conn.cursor() as cursor:
        # Autocommit off: the read opens the transaction (the server says so in its answer).
        cursor.execute(f"SELECT v FROM {table} WHERE id = 2")
        cursor.execute(f"UPDATE {table} SET v = 1 WHERE id = 1")  # the second: answered
        with pytest.raises(pymysql.OperationalError) as failure:
            cursor.execute(f"UPDATE {table} SET v = 1 WHERE id = 2")
    assert repr(failure.value) == lost()
    assert admin_query(server, f"SELECT v FROM {table} ORDER BY id") == [(0,), (0,)]


def test_cut_strikes_a_ping_before_the_next_statement_too(server, proxy):
    table = fresh_table(server, "cut_ping")
    proxy.add_toxic("mysql_cut", statements=1)
    conn = connect(server, proxy)
    with conn.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET v = 1 WHERE id = 1")
    with pytest.raises(pymysql.OperationalError) as failure:
        conn.ping(reconnect=False)
    assert repr(failure.value) == lost()
    assert admin_query(server, f"SELECT v FROM {table} WHERE id = 1") == [(0,)]


def test_cut_counts_only_statements_inside_a_transaction(server, proxy):
    table = fresh_table(server, "cut_count")
    proxy.add_toxic("mysql_cut", statements=1, match="UPDATE")
    conn = connect(server, proxy, autocommit=True)
    with conn.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET v = 5 WHERE id = 2")  # autocommit: no transaction
        cursor.execute(f"UPDATE {table} SET v = 6 WHERE id = 2")
        conn.begin()
        cursor.execute(f"UPDATE {table} SET v = 1 WHERE id = 1")
        with pytest.raises(pymysql.OperationalError) as failure:
            cursor.execute("SELECT 1")
    assert repr(failure.value) == lost()
    assert admin_query(server, f"SELECT id, v FROM {table} ORDER BY id") == [(1, 0), (2, 6)]


def test_writes_spares_a_read_only_transaction_and_strikes_the_next_that_writes(server, proxy):
    table = fresh_table(server, "writes_commit")
    proxy.add_toxic("mysql_lose_commit_ok", writes=1)
    reader, writer = connect(server, proxy), connect(server, proxy)
    with reader.cursor() as cursor:
        cursor.execute(f"SELECT v FROM {table} WHERE id = 1")
    reader.commit()  # a read-only transaction's COMMIT: not struck
    with writer.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET v = 7 WHERE id = 1")
    with pytest.raises(pymysql.OperationalError) as failure:
        writer.commit()
    assert repr(failure.value) == lost()
    assert admin_query(server, f"SELECT v FROM {table} WHERE id = 1") == [(7,)]


def test_writes_cut_strikes_an_autocommit_write_but_not_a_read(server, proxy):
    table = fresh_table(server, "writes_cut")
    proxy.add_toxic("mysql_cut", statements=1, transaction="any", writes=1)
    conn = connect(server, proxy, autocommit=True)
    with conn.cursor() as cursor:
        cursor.execute(f"SELECT v FROM {table} WHERE id = 1")
        cursor.execute(f"SELECT v FROM {table} WHERE id = 2")  # a read is never the one cut
        cursor.execute(f"UPDATE {table} SET v = 1 WHERE id = 1")  # its own transaction
        with pytest.raises(pymysql.OperationalError) as failure:
            cursor.execute(f"UPDATE {table} SET v = 1 WHERE id = 2")
    assert repr(failure.value) == lost()
    # The first write committed alone: what an autocommit "transfer" leaves when the link dies.
    assert admin_query(server, f"SELECT v FROM {table} ORDER BY id") == [(1,), (0,)]


def test_injected_deadlock_rolls_back_the_transaction_on_the_server(server, proxy):
    table = fresh_table(server, "deadlock")
    proxy.add_toxic("mysql_error", stream="upstream", match=r"id = 2", transaction="in")
    conn = connect(server, proxy)
    with conn.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET v = 1 WHERE id = 1")
        with pytest.raises(pymysql.OperationalError) as failure:
            cursor.execute(f"UPDATE {table} SET v = 1 WHERE id = 2")
        assert repr(failure.value) == (
            "OperationalError(1213, 'Deadlock found when trying to get lock; "
            "try restarting transaction')"
        )
        conn.commit()  # nothing is left to commit: the server rolled the debit back
        cursor.execute(f"SELECT v FROM {table} ORDER BY id")  # and the session is usable
        assert cursor.fetchall() == ((0,), (0,))
    assert admin_query(server, f"SELECT v FROM {table} ORDER BY id") == [(0,), (0,)]


def test_injected_lock_wait_timeout_fails_only_the_statement(server, proxy):
    table = fresh_table(server, "lock_wait")
    proxy.add_toxic(
        "mysql_error",
        match=r"id = 2",
        code=1205,
        state="HY000",
        message="Lock wait timeout exceeded; try restarting transaction",
    )
    conn = connect(server, proxy)
    with conn.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET v = 1 WHERE id = 1")
        with pytest.raises(pymysql.OperationalError) as failure:
            cursor.execute(f"UPDATE {table} SET v = 1 WHERE id = 2")
        assert repr(failure.value) == (
            "OperationalError(1205, 'Lock wait timeout exceeded; try restarting transaction')"
        )
        cursor.execute("SELECT @@in_transaction")
        assert cursor.fetchone() == (1,)  # the transaction is still open
    conn.commit()  # committing after it commits half
    assert admin_query(server, f"SELECT v FROM {table} ORDER BY id") == [(1,), (0,)]


def test_an_error_strikes_count_times_then_the_statement_passes(server, proxy):
    proxy.add_toxic("mysql_error", match="^select 7", code=1205, count=2)
    conn = connect(server, proxy, autocommit=True)
    with conn.cursor() as cursor:
        for _ in range(2):
            with pytest.raises(pymysql.OperationalError):
                cursor.execute("SELECT 7")
        cursor.execute("SELECT 7")
        assert cursor.fetchone() == (7,)


def test_the_api_shows_how_often_a_protocol_toxic_struck_read_only(server, proxy):
    proxy.add_toxic("mysql_error", name="err", match="^select 9", code=1205, count=0)
    proxy.add_toxic("slow_close", name="slow", delay=0)
    assert proxy.get_toxic("err")["strikes"] == 0
    conn = connect(server, proxy, autocommit=True)
    with conn.cursor() as cursor:
        for _ in range(3):
            with pytest.raises(pymysql.OperationalError):
                cursor.execute("SELECT 9")
        cursor.execute("SELECT 1")  # matches nothing: no strike
    assert proxy.get_toxic("err")["strikes"] == 3
    assert [toxic.get("strikes") for toxic in proxy.toxics()] == [3, None]
    # Not an attribute: an update cannot set it, and a toxic that counts nothing has no such key.
    proxy.update_toxic("err", code=1213)
    assert proxy.get_toxic("err")["strikes"] == 3
    assert "strikes" not in proxy.get_toxic("slow")


def test_error_out_of_transaction_does_not_strike_inside_one(server, proxy):
    proxy.add_toxic("mysql_error", match="select 8", transaction="out", code=1205)
    conn = connect(server, proxy)
    with conn.cursor() as cursor:
        conn.begin()
        cursor.execute("SELECT 8")  # inside: passes
        assert cursor.fetchone() == (8,)
        conn.commit()
        conn.autocommit(True)
        with pytest.raises(pymysql.OperationalError) as failure:
            cursor.execute("SELECT 8")
    assert failure.value.args[0] == 1205


def test_injected_connection_killed_error_is_followed_by_the_close(server, proxy):
    proxy.add_toxic(
        "mysql_error", match="select 1", code=1927, state="70100", message="Connection was killed"
    )
    conn = connect(server, proxy, autocommit=True)
    with conn.cursor() as cursor:
        with pytest.raises(pymysql.OperationalError) as failure:
            cursor.execute("SELECT 1")
        assert repr(failure.value) == "OperationalError(1927, 'Connection was killed')"
        with pytest.raises(pymysql.OperationalError) as after:
            cursor.execute("SELECT 1")
    assert after.value.args[0] in (0, 2006, 2013)


def test_mysql8_idle_disconnect_4031_reads_as_2013_on_the_next_query(server, proxy):
    conn = connect(server, proxy, autocommit=True)
    proxy.add_toxic(
        "mysql_close",
        code=4031,
        message="The client was disconnected by the server because of inactivity.",
        idle_only=1,
    )
    with conn.cursor() as cursor:
        with pytest.raises(pymysql.OperationalError) as failure:
            cursor.execute("SELECT 1")
    assert repr(failure.value) == lost()
    connect(server, proxy).close()  # links opened after the event are left alone


def test_unknown_protocol_attribute_type_is_a_400(proxy):
    with pytest.raises(Exception, match="400"):
        proxy.add_toxic("mysql_error", message=5)


def test_close_strikes_count_the_live_links_it_closed_as_soon_as_it_is_added(server, proxy):
    live = [connect(server, proxy, autocommit=True) for _ in range(3)]
    proxy.add_toxic("mysql_close", name="close")
    # Read at once: the API answered the add after the toxic had met every live link.
    assert proxy.get_toxic("close")["strikes"] == 3
    for conn in live:
        with conn.cursor() as cursor, pytest.raises(pymysql.OperationalError) as failure:
            cursor.execute("SELECT 1")
        assert repr(failure.value) == lost()
    later = connect(server, proxy, autocommit=True)
    # Another toxic on the same direction restarts the close on the later link: no new event.
    proxy.add_toxic("latency", name="slow", latency=0)
    with later.cursor() as cursor:
        cursor.execute("SELECT 1")
    assert proxy.get_toxic("close")["strikes"] == 3
