"""Each wire fault strikes a plain pymysql client (no mysql-chaos code in its path) through the
embedded Toxiproxy: the exception's repr is the fault's ``produces`` and the server is left as
the real event leaves it. No fault here is told anything about the client or its tables."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pymysql
import pytest

from chaos.fault_effect import FaultEffect
from chaos.faults import FAULTS, Fault, FaultTarget
from chaos.faults.wire_faults import WireFault
from chaos.runner.armed_fault import ArmedFault
from chaos.runner.environment import Backend
from chaos.toxiproxy.client import ToxiproxyClient
from chaos.toxiproxy.embedded import EmbeddedToxiproxy
from chaos.workload.bank import create_bank, read_state
from tests.toxiproxy.protocol_helpers import needs_real_toxiproxy, real_toxiproxy

WIRE_FAULTS = sorted(name for name in FAULTS.names() if issubclass(FAULTS.get(name), WireFault))
DEBIT = "UPDATE accounts SET balance = balance - 5 WHERE id = 1"
CREDIT = "UPDATE accounts SET balance = balance + 5 WHERE id = 2"
LEDGER = "INSERT INTO ledger (op_id, from_id, to_id, amount) VALUES ('op-1', 1, 2, 5)"


@pytest.fixture(scope="module")
def toxiproxy() -> Iterator[ToxiproxyClient]:
    with EmbeddedToxiproxy(mode="process").start() as server:
        yield server.client()


def _bank(target: FaultTarget) -> None:
    create_bank(target.admin_settings, accounts=2)


@pytest.fixture
def fault(request: pytest.FixtureRequest, toxiproxy: ToxiproxyClient) -> Iterator[Fault]:
    with ArmedFault(FAULTS.get(request.param), Backend(), toxiproxy, set_up=_bank) as armed:
        yield armed.fault


def client(fault: Fault) -> pymysql.Connection:
    return pymysql.connect(**fault.target.client_settings.pymysql_kwargs(read_timeout=3))


def run(conn: pymysql.Connection, *statements: str) -> None:
    with conn.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def failure_of(action) -> BaseException:
    with pytest.raises(pymysql.err.MySQLError) as failure:
        action()
    return failure.value


def balances(fault: Fault) -> list[int]:
    return [a.balance for a in read_state(fault.target.admin_settings).accounts]


def ledger(fault: Fault) -> list[str]:
    return [row.op_id for row in read_state(fault.target.admin_settings).ledger]


@pytest.mark.parametrize("fault", ["mid-transaction-drop"], indirect=True)
def test_mid_transaction_drop_cuts_after_the_first_statement(fault):
    conn = client(fault)
    fault.inject()
    conn.begin()
    run(conn, DEBIT)
    assert repr(failure_of(lambda: run(conn, CREDIT))) == fault.produces
    assert balances(fault) == [1000, 1000] and ledger(fault) == []


@pytest.mark.parametrize("fault", ["ambiguous-commit"], indirect=True)
def test_ambiguous_commit_applies_the_commit_and_loses_its_ok(fault):
    conn = client(fault)
    fault.inject()
    conn.begin()
    run(conn, DEBIT, CREDIT, LEDGER)
    assert repr(failure_of(conn.commit)) == fault.produces
    assert balances(fault) == [995, 1005] and ledger(fault) == ["op-1"]


@pytest.mark.parametrize("fault", ["ambiguous-commit"], indirect=True)
def test_the_heal_says_how_often_the_toxic_struck(fault):
    conn = client(fault)
    fault.inject()
    conn.begin()
    run(conn, DEBIT, CREDIT, LEDGER)
    failure_of(conn.commit)
    assert fault.heal() == FaultEffect(True, 1, "mysql_lose_commit_ok removed")


@pytest.mark.parametrize("fault", ["ambiguous-commit"], indirect=True)
def test_a_wire_fault_that_met_no_commit_says_it_struck_nothing(fault):
    # A client that only reads never sends the COMMIT this fault strikes.
    conn = client(fault)
    fault.inject()
    run(conn, "SELECT balance FROM accounts")
    assert fault.heal() == FaultEffect(False, 0, "mysql_lose_commit_ok removed")


@pytest.mark.parametrize("fault", ["lost-commit"], indirect=True)
def test_lost_commit_never_reaches_the_server(fault):
    conn = client(fault)
    fault.inject()
    conn.begin()
    run(conn, DEBIT, CREDIT, LEDGER)
    assert repr(failure_of(conn.commit)) == fault.produces
    assert balances(fault) == [1000, 1000] and ledger(fault) == []


@pytest.mark.parametrize("fault", ["deadlock"], indirect=True)
def test_deadlock_rolls_the_transaction_back_and_keeps_the_session(fault):
    conn = client(fault)
    fault.inject()
    conn.begin()
    run(conn, DEBIT)
    assert repr(failure_of(lambda: run(conn, CREDIT))) == fault.produces
    conn.commit()  # nothing left to commit: the debit was rolled back on the server
    assert balances(fault) == [1000, 1000]
    run(conn, "SELECT 1")


@pytest.mark.parametrize("fault", ["lock-wait-timeout"], indirect=True)
def test_lock_wait_timeout_fails_only_the_statement(fault):
    conn = client(fault)
    fault.inject()
    conn.begin()
    run(conn, DEBIT)
    assert repr(failure_of(lambda: run(conn, CREDIT))) == fault.produces
    conn.commit()  # a client that commits anyway commits half a transfer
    assert balances(fault) == [995, 1000]


@pytest.mark.parametrize("fault", ["mid-transaction-outage"], indirect=True)
def test_mid_transaction_outage_keeps_the_server_away_until_heal(fault):
    conn = client(fault)
    fault.inject()
    conn.begin()
    run(conn, DEBIT)
    assert repr(failure_of(lambda: run(conn, CREDIT))) == fault.produces
    reconnect = failure_of(lambda: client(fault))
    assert repr(reconnect) == fault.produces  # the proxy closes new links at once
    fault.heal()  # returns once the outage has lasted its 5 s
    client(fault).close()
    assert balances(fault) == [1000, 1000]


@pytest.mark.parametrize("fault", ["mysql8-idle-disconnect"], indirect=True)
def test_mysql8_idle_disconnect_fails_the_next_query_of_an_idle_connection(fault):
    conn = client(fault)
    run(conn, "SELECT 1")
    fault.inject()
    assert repr(failure_of(lambda: run(conn, "SELECT 1"))) == fault.produces
    fresh = client(fault)  # connections opened after it are served
    run(fresh, "SELECT 1")


@pytest.mark.parametrize("fault", ["server-shutdown"], indirect=True)
def test_server_shutdown_ends_idle_and_busy_sessions(fault):
    idle, busy = client(fault), client(fault)
    errors: list[BaseException] = []
    thread = threading.Thread(
        target=lambda: errors.append(failure_of(lambda: run(busy, "SELECT SLEEP(2.5)")))
    )
    thread.start()
    deadline = time.monotonic() + 2
    while time.monotonic() < deadline and not any(
        row[4] == "Query" and "SLEEP" in (row[7] or "") for row in _processlist(fault)
    ):
        time.sleep(0.01)
    fault.inject()
    thread.join()
    assert [repr(e) for e in errors] == [fault.produces]
    assert repr(failure_of(lambda: run(idle, "SELECT 1"))) == fault.produces


def _processlist(fault: Fault) -> list[tuple]:
    admin = pymysql.connect(**fault.target.admin_settings.pymysql_kwargs())
    try:
        with admin.cursor() as cursor:
            cursor.execute("SHOW FULL PROCESSLIST")
            return list(cursor.fetchall())
    finally:
        admin.close()


@needs_real_toxiproxy
def test_against_a_real_toxiproxy_every_wire_fault_skips_pre_flight_with_the_reason():
    with real_toxiproxy() as real:
        proxy = real.create_proxy("chaos_wire_probe_target", "127.0.0.1:9")
        target = type("Target", (), {"proxy": proxy, "server": None, "namespace": None})()
        for name in WIRE_FAULTS:
            reason = FAULTS.get(name).unmet_need(target)
            assert reason is not None and "does not know (HTTP 400)" in reason, name
        assert list(real.proxies()) == ["chaos_wire_probe_target"]  # the probes left nothing
