"""Protocol toxics that pick the work they strike: the workload's transfers, a COMMIT still in
flight, the first transaction on a reconnected link."""

from __future__ import annotations

import pymysql
import pytest

from tests.toxiproxy import protocol_helpers
from tests.toxiproxy.protocol_helpers import admin_query, connect, fresh_table, lost

# The module's fixtures (a disposable server, the embedded proxy, a proxy per test).
server = protocol_helpers.server
toxiproxy = protocol_helpers.toxiproxy
proxy = protocol_helpers.proxy


def test_transaction_match_spares_a_transaction_that_writes_only_elsewhere(server, proxy):
    judged, keys = fresh_table(server, "judged"), fresh_table(server, "keys_a")
    proxy.add_toxic("mysql_lose_commit_ok", writes=1, transaction_match=rf"update\s+{judged}\b")
    conn = connect(server, proxy)
    with conn.cursor() as cursor:
        # A read that writes a key row: it writes, but not the judged work.
        cursor.execute(f"UPDATE {keys} SET v = 1 WHERE id = 1")
        cursor.execute(f"SELECT v FROM {judged}")
    conn.commit()
    with conn.cursor() as cursor:
        cursor.execute(f"UPDATE {keys} SET v = 2 WHERE id = 1")
        cursor.execute(f"UPDATE {judged} SET v = 7 WHERE id = 1")
    with pytest.raises(pymysql.OperationalError) as failure:
        conn.commit()
    assert repr(failure.value) == lost()
    assert admin_query(server, f"SELECT v FROM {judged} WHERE id = 1") == [(7,)]
    assert proxy.get_toxic("mysql_lose_commit_ok_downstream")["strikes"] == 1


def test_a_cut_with_transaction_match_comes_after_the_first_matching_write(server, proxy):
    judged, keys = fresh_table(server, "judged_cut"), fresh_table(server, "keys_b")
    proxy.add_toxic(
        "mysql_cut",
        statements=1,
        transaction="any",
        writes=1,
        transaction_match=rf"update\s+{judged}\b",
    )
    conn = connect(server, proxy)
    with conn.cursor() as cursor:
        cursor.execute(f"UPDATE {keys} SET v = 1 WHERE id = 1")  # first, but not matching
        cursor.execute(f"UPDATE {judged} SET v = 1 WHERE id = 1")  # answered, then the cut
        with pytest.raises(pymysql.OperationalError) as failure:
            cursor.execute(f"UPDATE {judged} SET v = 1 WHERE id = 2")
    assert repr(failure.value) == lost()
    assert admin_query(server, f"SELECT v FROM {keys} WHERE id = 1") == [(0,)]
    assert admin_query(server, f"SELECT v FROM {judged} ORDER BY id") == [(0,), (0,)]


def test_a_bad_transaction_match_is_refused_with_a_400(proxy):
    with pytest.raises(Exception, match="400"):
        proxy.add_toxic("mysql_cut", transaction_match=r"(a)\1")


def test_a_commit_in_flight_lands_after_the_client_lost_its_link(server, proxy):
    table = fresh_table(server, "in_flight")
    # Long enough that the reads below surely run before the COMMIT reaches the server.
    proxy.add_toxic("mysql_commit_in_flight", writes=1, delay=3000)
    conn = connect(server, proxy)
    with conn.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET v = 5 WHERE id = 1")
    with pytest.raises(pymysql.OperationalError) as failure:
        conn.commit()
    assert repr(failure.value) == lost()
    # A plain read does not wait for the transaction still open on the server: "not applied".
    assert admin_query(server, f"SELECT v FROM {table} WHERE id = 1") == [(0,)]
    # A locking read waits for its row lock, which the COMMIT releases: "applied".
    assert admin_query(server, f"SELECT v FROM {table} WHERE id = 1 LOCK IN SHARE MODE") == [(5,)]
    assert proxy.get_toxic("mysql_commit_in_flight_downstream")["strikes"] == 1


def test_a_commit_in_flight_whose_session_was_killed_never_lands(server, proxy):
    table = fresh_table(server, "in_flight_killed")
    proxy.add_toxic("mysql_commit_in_flight", writes=1, delay=3000)
    conn = connect(server, proxy)
    session = conn.thread_id()
    with conn.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET v = 5 WHERE id = 1")
    with pytest.raises(pymysql.OperationalError):
        conn.commit()
    # What a careful client does before reading back: end the old session.
    admin_query(server, f"KILL CONNECTION {session}")
    assert admin_query(server, f"SELECT v FROM {table} WHERE id = 1 LOCK IN SHARE MODE") == [(0,)]


def test_new_links_cuts_only_a_link_opened_after_the_toxic(server, proxy):
    table = fresh_table(server, "new_links")
    old = connect(server, proxy)
    proxy.add_toxic("mysql_cut", statements=1, transaction="any", writes=1, new_links=1)
    with old.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET v = 1 WHERE id = 1")
        cursor.execute(f"UPDATE {table} SET v = 1 WHERE id = 2")
    old.commit()
    new = connect(server, proxy, autocommit=True)  # a reconnect that lost autocommit=0
    with new.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET v = 2 WHERE id = 1")
        with pytest.raises(pymysql.OperationalError) as failure:
            cursor.execute(f"UPDATE {table} SET v = 2 WHERE id = 2")
    assert repr(failure.value) == lost()
    # The first write committed alone: half a transfer.
    assert admin_query(server, f"SELECT v FROM {table} ORDER BY id") == [(2,), (1,)]
