"""A protocol toxic's ``match`` cannot freeze the proxy: RE2, bounded, refused where RE2 fails.

The attack: ``mysql_error`` with ``match`` ``(.+)+;`` and one 60-character statement without a
``;``. Python's backtracking ``re`` needs about 2**60 steps for it, on the loop that serves every
proxy and the API: nothing else was answered for minutes. The proxy runs in its own process here
(``mode="process"``), so a frozen proxy fails these tests by their read timeouts instead of
freezing the test process too.
"""

from __future__ import annotations

import itertools
import threading
import tracemalloc
from collections.abc import Iterator

import pymysql
import pytest

from chaos.toxiproxy import EmbeddedToxiproxy, ToxiproxyClient
from chaos.toxiproxy.client import ToxiproxyError
from chaos.toxiproxy.server.mysql.pattern import MATCHED_BYTES, pattern_matches
from chaos.toxiproxy.server.toxics.slicer import SlicerToxic
from tests.toxiproxy import protocol_helpers

server = protocol_helpers.server

PATHOLOGICAL = "(.+)+;"
#: 60 characters, no ';': the statement the attack sent.
STATEMENT = "SELECT '" + "x" * 50 + "' AS a"
#: Not a speed bound: a frozen proxy never answers, a working one in milliseconds; 10 s only
#: keeps a failing run from waiting forever on a loaded 2-core machine.
ANSWER_CEILING = 10


@pytest.fixture(scope="module")
def toxiproxy() -> Iterator[ToxiproxyClient]:
    with EmbeddedToxiproxy(mode="process") as embedded:
        yield embedded.client(timeout=ANSWER_CEILING)


def _connect(server, proxy) -> pymysql.Connection:
    kwargs = server.settings.pymysql_kwargs(
        host=proxy.listen_host, port=proxy.listen_port, read_timeout=ANSWER_CEILING
    )
    return pymysql.connect(**kwargs, autocommit=True)


def test_a_backtracking_pattern_runs_in_linear_time_and_other_proxies_keep_serving(
    server, toxiproxy
):
    attacked = toxiproxy.create_proxy("attacked", f"127.0.0.1:{server.port}")
    other = toxiproxy.create_proxy("other", f"127.0.0.1:{server.port}")
    try:
        attacked.add_toxic("mysql_error", match=PATHOLOGICAL, code=1205, count=0)
        outcome: list[object] = []

        def attack() -> None:
            conn = _connect(server, attacked)
            try:
                with conn.cursor() as cursor:
                    cursor.execute(STATEMENT)  # no ';': the pattern does not match, it passes
                    outcome.append(cursor.fetchone())
            except pymysql.MySQLError as e:
                outcome.append(e)
            finally:
                conn.close()

        thread = threading.Thread(target=attack)
        thread.start()
        # While the attacked link is served, another proxy and the API answer.
        conn = _connect(server, other)
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1")
            assert cursor.fetchone() == (1,)
        conn.close()
        assert toxiproxy.version()
        thread.join(ANSWER_CEILING * 2)
        assert not thread.is_alive()
        assert outcome == [("x" * 50,)]
        # And it still strikes where it matches.
        conn = _connect(server, attacked)
        with pytest.raises(pymysql.OperationalError) as struck:
            conn.cursor().execute("SELECT 1 ;")
        assert struck.value.args[0] == 1205
    finally:
        attacked.delete()
        other.delete()


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        (r"(a)\1", "invalid escape sequence"),  # a backreference
        (r"commit(?=\s)", "invalid perl operator"),  # lookahead
        (r"(?<!x)commit", "invalid perl operator"),  # lookbehind
        (r"(commit", "missing )"),
        (r".{0,200}z", "RE2 instructions, more than 1000"),  # too large an automaton
    ],
)
def test_a_pattern_re2_cannot_run_is_a_400_that_says_why(server, toxiproxy, pattern, why):
    proxy = toxiproxy.create_proxy("refusing", f"127.0.0.1:{server.port}")
    try:
        with pytest.raises(ToxiproxyError) as refused:
            proxy.add_toxic("mysql_error", match=pattern)
        assert "400" in str(refused.value)
        assert "attribute match" in str(refused.value) and why in str(refused.value)
        assert proxy.toxics() == []
        # An update to such a pattern is refused too, and leaves the toxic as it was.
        proxy.add_toxic("mysql_error", name="kept", match="^select")
        with pytest.raises(ToxiproxyError) as update:
            proxy.update_toxic("kept", match=pattern)
        assert "400" in str(update.value)
        assert proxy.toxics()[0]["attributes"]["match"] == "^select"
    finally:
        proxy.delete()


def test_only_the_first_bytes_of_a_statement_are_searched():
    head = "SELECT '" + "x" * (MATCHED_BYTES - 20) + "' AS "
    assert pattern_matches(r"^select\b", head + "marker")  # case-insensitive, as before
    assert pattern_matches("marker", head[:100] + "marker")
    assert not pattern_matches("marker", head + "x" * 100 + " marker")


def test_a_slicer_makes_its_slices_one_at_a_time():
    # Listing a 1 MiB chunk's million single-byte slices before sending the first held the loop
    # (every other link) for most of a second and some 80 MB; made one by one, the first slices
    # cost a few pending ranges.
    toxic = SlicerToxic(average_size=1)
    tracemalloc.start()
    try:
        first = list(itertools.islice(toxic.slices(1 << 20), 3))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert first == [(0, 1), (1, 2), (2, 3)]
    assert peak < 64 * 1024
