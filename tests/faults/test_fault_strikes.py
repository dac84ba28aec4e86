"""Every fault says whether, and how often, it struck the client (plain pymysql connections),
read from what it acted on: the embedded proxy's counts, the processlist, the server's status
counters. With no client there to strike, it says so (False), or that it cannot tell (None)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pymysql
import pytest

from chaos.fault_effect import FaultEffect, combined
from chaos.faults import FAULTS, FaultTarget
from chaos.runner.armed_fault import ArmedFault
from chaos.runner.environment import Backend
from chaos.toxiproxy.client import ToxiproxyClient
from chaos.toxiproxy.embedded import EmbeddedToxiproxy
from chaos.workload.bank import create_bank


@pytest.fixture(scope="module")
def toxiproxy() -> Iterator[ToxiproxyClient]:
    with EmbeddedToxiproxy(mode="process").start() as server:
        yield server.client()


@contextlib.contextmanager
def clients(target: FaultTarget, count: int, **options) -> Iterator[list[pymysql.Connection]]:
    conns = [
        pymysql.connect(**target.client_settings.pymysql_kwargs(**options)) for _ in range(count)
    ]
    try:
        yield conns
    finally:
        for conn in conns:
            with contextlib.suppress(pymysql.err.Error):
                conn.close()


def query(conn: pymysql.Connection) -> None:
    with contextlib.suppress(pymysql.err.Error), conn.cursor() as cursor:
        cursor.execute("SELECT 1")


def through(armed: ArmedFault, work) -> FaultEffect:
    """inject, ``work()`` (the fault phase), heal: the two effects together."""
    inject = armed.inject()
    work()
    strike = combined(inject, armed.heal())
    assert strike is not None
    return strike


@pytest.mark.parametrize("name", ["server-restart", "server-crash", "server-freeze"])
def test_a_server_fault_counts_the_client_sessions_it_ended_or_froze(name) -> None:
    with ArmedFault(FAULTS.get(name), Backend()) as armed:
        with clients(armed.target, 2, read_timeout=1) as conns:
            strike = through(armed, lambda: [query(conn) for conn in conns])
        assert (strike.struck, strike.count) == (True, 2)
        # No session: a restart is over before any client could meet it; a dead or frozen
        # server meets whoever connects meanwhile, which nothing counts.
        alone = through(armed, lambda: None)
        assert alone.struck is (False if name == "server-restart" else None)


def test_reset_peer_counts_the_links_it_reset_and_nothing_without_traffic(toxiproxy) -> None:
    with ArmedFault(FAULTS.get("reset-peer"), Backend(), toxiproxy) as armed:
        with clients(armed.target, 2) as conns:
            strike = through(armed, lambda: [query(conn) for conn in conns])
            assert (strike.struck, strike.count) == (True, 2)
        with clients(armed.target, 1):
            idle = through(armed, lambda: None)  # a link open, nothing sent
        assert (idle.struck, idle.count) == (False, 0)


def test_outage_counts_the_live_links_it_closed_and_cannot_tell_without_one(toxiproxy) -> None:
    with ArmedFault(FAULTS.get("outage"), Backend(), toxiproxy) as armed:
        with clients(armed.target, 3):
            strike = through(armed, lambda: None)
        assert (strike.struck, strike.count) == (True, 3)
        # Nobody connected: a connect during the outage would be refused by the kernel, uncounted.
        assert through(armed, lambda: None).struck is None


def test_slow_network_counts_the_answers_it_held_back(toxiproxy) -> None:
    with ArmedFault(FAULTS.get("slow-network"), Backend(), toxiproxy) as armed:
        with clients(armed.target, 1, read_timeout=1) as conns:
            strike = through(armed, lambda: query(conns[0]))
            assert strike.struck is True and strike.count is not None and strike.count >= 1
            assert through(armed, lambda: None).struck is False


def test_idle_timeout_counts_the_sessions_the_server_closed() -> None:
    with ArmedFault(FAULTS.get("idle-timeout"), Backend()) as armed:
        with clients(armed.target, 2):
            strike = through(armed, lambda: None)
        assert (strike.struck, strike.count) == (True, 2)


def test_idle_timeout_with_no_session_ever_open_struck_nothing() -> None:
    with ArmedFault(FAULTS.get("idle-timeout"), Backend()) as armed:
        strike = through(armed, lambda: None)
    assert (strike.struck, strike.count) == (False, 0)


def test_too_many_connections_counts_the_sessions_it_killed_and_the_reconnects_it_refused() -> None:
    with ArmedFault(FAULTS.get("too-many-connections"), Backend()) as armed:
        settings = armed.target.client_settings

        def reconnect_twice() -> None:
            for _ in range(2):
                with pytest.raises(pymysql.err.OperationalError) as refused:
                    pymysql.connect(**settings.pymysql_kwargs(connect_timeout=2))
                assert refused.value.args[0] == 1040

        strike = through(armed, reconnect_twice)
        assert (strike.struck, strike.count) == (True, 2)
        with clients(armed.target, 1):  # killed to make room, never reconnects: struck
            assert (through(armed, lambda: None).count) == 1
        assert through(armed, lambda: None).struck is False


def _bank(target: FaultTarget) -> None:
    create_bank(target.admin_settings, accounts=2)


def _transfer(settings) -> None:
    with pymysql.connect(**settings.pymysql_kwargs(read_timeout=3)) as conn:
        conn.begin()
        with conn.cursor() as cursor:
            cursor.execute("UPDATE accounts SET balance = balance - 5 WHERE id = 1")
            cursor.execute("UPDATE accounts SET balance = balance + 5 WHERE id = 2")
        conn.commit()


def test_reconnect_drop_counts_the_links_it_closed_on_inject_and_the_cut_on_heal(
    toxiproxy,
) -> None:
    with ArmedFault(FAULTS.get("reconnect-drop"), Backend(), toxiproxy, set_up=_bank) as armed:
        with clients(armed.target, 2) as conns:
            inject = armed.inject()
            # Clients that never reconnect: the close struck them, the cut never will.
            assert (inject.struck, inject.count) == (True, 2)
            for conn in conns:
                query(conn)
            heal = armed.heal()
            assert (heal.struck, heal.count) == (False, 0)
            assert combined(inject, heal).struck is True
        # A client that reconnects: no live link to close, its first transfer is cut.
        inject = armed.inject()
        with pytest.raises(pymysql.err.OperationalError):
            _transfer(armed.target.client_settings)
        heal = armed.heal()
        assert (inject.count, heal.count) == (0, 1)
        # Nobody there at all.
        assert through(armed, lambda: None) == FaultEffect(
            False,
            0,
            "mysql_close: live links closed: struck 0 times; "
            "mysql_cut removed: transfers cut on new links: struck 0 times",
        )
