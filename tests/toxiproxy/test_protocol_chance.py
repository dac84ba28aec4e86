"""``mysql_chance``: a cut after a statement's answer, tossed from a seed and the statement."""

from __future__ import annotations

import contextlib
from dataclasses import replace

import pymysql
import pytest

from chaos.drivers import driver
from chaos.toxiproxy.server.toxics.mysql_chance import coin_falls
from tests.toxiproxy import protocol_helpers
from tests.toxiproxy.protocol_helpers import admin_query, connect, fresh_table, lost

server = protocol_helpers.server
toxiproxy = protocol_helpers.toxiproxy
proxy = protocol_helpers.proxy

SEED = 20261206


def _cut(server, proxy, statement: str) -> bool:
    """Run ``statement`` and COMMIT on a new link; whether the link was cut before COMMIT."""
    conn = connect(server, proxy)
    try:
        with conn.cursor() as cursor:
            cursor.execute(statement)
        try:
            conn.commit()
        except pymysql.OperationalError as e:
            assert repr(e) == lost()
            return True
        return False
    finally:
        conn.close()


def test_the_cuts_are_the_ones_the_seed_and_the_statements_decide(server, proxy, toxiproxy):
    table = fresh_table(server, "chance")
    statements = [f"UPDATE {table} SET v = {i} WHERE id = 1" for i in range(16)]
    expected = [coin_falls(SEED, text, 0) < 0.5 for text in statements]
    assert 0 < sum(expected) < len(statements)  # the seed gives both outcomes: a real test
    proxy.add_toxic("mysql_chance", name="coin", probability=0.5, seed=SEED)
    assert [_cut(server, proxy, text) for text in statements] == expected
    assert proxy.get_toxic("coin")["strikes"] == sum(expected)
    # A second proxy with the same seed, statements in the reverse order: the same cuts.
    other = toxiproxy.create_proxy("chance_again", f"127.0.0.1:{server.port}")
    try:
        other.add_toxic("mysql_chance", probability=0.5, seed=SEED)
        backwards = [_cut(server, other, text) for text in reversed(statements)]
    finally:
        other.delete()
    assert backwards[::-1] == expected


def test_a_statement_sent_again_tosses_again(server, proxy):
    table = fresh_table(server, "chance_retry")
    # A statement the seed cuts the first time and spares the second.
    text = next(
        t
        for i in range(1000)
        if coin_falls(SEED, t := f"UPDATE {table} SET v = {i} WHERE id = 2", 0) < 0.5
        and coin_falls(SEED, t, 1) >= 0.5
    )
    proxy.add_toxic("mysql_chance", probability=0.5, seed=SEED)
    assert _cut(server, proxy, text) is True
    assert admin_query(server, f"SELECT v FROM {table} WHERE id = 2") == [(0,)]  # rolled back
    assert _cut(server, proxy, text) is False
    assert admin_query(server, f"SELECT v FROM {table} WHERE id = 2") != [(0,)]


def test_reads_are_never_tossed_and_probability_zero_never_cuts(server, proxy):
    table = fresh_table(server, "chance_reads")
    proxy.add_toxic("mysql_chance", name="always", probability=1.0, seed=SEED)
    assert _cut(server, proxy, f"SELECT v FROM {table}") is False  # writes only, by default
    assert _cut(server, proxy, f"UPDATE {table} SET v = 3 WHERE id = 1") is True
    proxy.remove_toxic("always")
    proxy.add_toxic("mysql_chance", name="never", probability=0.0, seed=SEED)
    assert _cut(server, proxy, f"UPDATE {table} SET v = 3 WHERE id = 1") is False
    assert proxy.get_toxic("never")["strikes"] == 0


@pytest.mark.parametrize("probability", [-0.1, 1.5])
def test_a_probability_outside_zero_to_one_is_refused_with_a_400(proxy, probability):
    with pytest.raises(Exception, match="400"):
        proxy.add_toxic("mysql_chance", probability=probability)


def _cut_prepared(server, proxy, table: str, value: int) -> bool:
    """One server-side prepared UPDATE (COM_STMT_EXECUTE) and COMMIT on a new link."""
    connector = pytest.importorskip("mysql.connector", reason="the drivers extra is not installed")
    through = replace(server.settings, host=proxy.listen_host, port=proxy.listen_port)
    conn = driver("connector-pure").connect(through, autocommit=False, buffered=False)
    try:
        cursor = conn.cursor(prepared=True)
        cursor.execute(f"UPDATE {table} SET v = ? WHERE id = 1", (value,))
        try:
            conn.commit()
        except connector.Error:
            return True
        return False
    finally:
        with contextlib.suppress(Exception):
            conn.close()


def test_executions_of_one_prepared_statement_are_told_apart_by_their_arguments(
    server, proxy, toxiproxy
):
    # The text is the same for all of them: were the toss made of it alone, the k-th execution
    # would meet the k-th toss whatever its arguments, and the reverse order would not give the
    # same cuts.
    table = fresh_table(server, "chance_prepared")
    values = list(range(100, 116))
    proxy.add_toxic("mysql_chance", name="coin", probability=0.5, seed=SEED)
    forwards = [_cut_prepared(server, proxy, table, value) for value in values]
    assert 0 < sum(forwards) < len(values), forwards
    other = toxiproxy.create_proxy("chance_prepared_again", f"127.0.0.1:{server.port}")
    try:
        other.add_toxic("mysql_chance", name="coin", probability=0.5, seed=SEED)
        backwards = [_cut_prepared(server, other, table, value) for value in reversed(values)]
    finally:
        other.delete()
    assert backwards[::-1] == forwards
