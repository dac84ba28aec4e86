"""The failover faults strike a plain pymysql client (no mysql-chaos code in its path) through
the embedded Toxiproxy: each exception's repr is the fault's ``produces``, and the world is left
as the real event leaves it (a read-only writer, then an endpoint on a new writer with the same
data; a session closed after 1053)."""

from __future__ import annotations

from collections.abc import Iterator

import pymysql
import pytest

from chaos.fault_effect import FaultEffect
from chaos.faults import FAULTS, Fault, FaultTarget, Need
from chaos.faults.produced import LOST
from chaos.faults.server_failover import READ_ONLY_MESSAGE
from chaos.faults.shutdown_mid_query import SHUTDOWN_MESSAGE
from chaos.runner.armed_fault import ArmedFault
from chaos.runner.environment import Backend
from chaos.runner.preflight import unmet_need
from chaos.toxiproxy.client import ToxiproxyClient
from chaos.toxiproxy.embedded import EmbeddedToxiproxy
from chaos.workload.bank import create_bank, read_state
from tests.toxiproxy.protocol_helpers import needs_real_toxiproxy, real_toxiproxy

DEBIT = "UPDATE accounts SET balance = balance - 5 WHERE id = 1"
CREDIT = "UPDATE accounts SET balance = balance + 5 WHERE id = 2"
MOVED = "copied {rows} rows to the standby, endpoint moved there: sessions closed"


@pytest.fixture(scope="module")
def toxiproxy() -> Iterator[ToxiproxyClient]:
    with EmbeddedToxiproxy(mode="process").start() as server:
        yield server.client()


def _bank(target: FaultTarget) -> None:
    create_bank(target.admin_settings, accounts=2)


@pytest.fixture
def armed(request: pytest.FixtureRequest, toxiproxy: ToxiproxyClient) -> Iterator[ArmedFault]:
    with ArmedFault(FAULTS.get(request.param), Backend(), toxiproxy, set_up=_bank) as armed:
        yield armed


def client(fault: Fault) -> pymysql.Connection:
    return pymysql.connect(**fault.target.client_settings.pymysql_kwargs(read_timeout=3))


def run(conn: pymysql.Connection, *statements: str) -> list[tuple]:
    with conn.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
        return list(cursor.fetchall())


def failure_of(action) -> BaseException:
    with pytest.raises(pymysql.err.MySQLError) as failure:
        action()
    return failure.value


def balances(fault: Fault) -> list[int]:
    return [a.balance for a in read_state(fault.target.admin_settings).accounts]


@pytest.mark.parametrize("armed", ["failover-demotion"], indirect=True)
def test_the_demoted_writer_answers_writes_1290_and_keeps_the_session(armed):
    fault = armed.fault
    conn = client(fault)
    fault.inject()
    conn.begin()
    assert repr(failure_of(lambda: run(conn, DEBIT))) == fault.produces
    assert run(conn, "SELECT balance FROM accounts ORDER BY id") == [(1000,), (1000,)]
    conn.rollback()


@pytest.mark.parametrize("armed", ["failover-demotion"], indirect=True)
def test_a_transaction_open_at_the_demotion_cannot_commit_so_no_ack_misses_the_copy(armed):
    fault = armed.fault
    conn = client(fault)
    conn.begin()
    run(conn, DEBIT)
    fault.inject()
    assert repr(failure_of(conn.commit)) == fault.produces
    conn.rollback()
    fault.heal()
    assert balances(fault) == [1000, 1000]


@pytest.mark.parametrize("armed", ["failover-demotion"], indirect=True)
def test_heal_moves_the_endpoint_to_a_standby_with_the_same_data(armed):
    fault = armed.fault
    old_writer, standby = fault.target.server, fault.target.standby
    conn = client(fault)
    conn.begin()
    run(conn, DEBIT, CREDIT)
    conn.commit()
    fault.inject()
    effect = fault.heal()
    # The old session was closed without a packet: its next query finds the link gone.
    assert repr(failure_of(lambda: run(conn, "SELECT 1"))) == LOST
    fresh = client(fault)
    assert run(fresh, "SELECT @@port") == [(standby.settings.port,)]
    assert run(fresh, "SELECT balance FROM accounts ORDER BY id") == [(995,), (1005,)]
    run(fresh, DEBIT)  # the new writer takes writes
    fresh.commit()
    # Whoever judges the world now reads the server the endpoint leads to.
    assert (fault.target.server, fault.target.standby) == (standby, old_writer)
    assert balances(fault) == [990, 1005]
    assert old_writer.get_global("read_only") == "1"
    assert effect == FaultEffect(True, 1, MOVED.format(rows=2))  # two accounts, no ledger


@pytest.mark.parametrize("armed", ["failover-demotion"], indirect=True)
def test_a_failover_with_no_session_open_does_not_claim_it_struck(armed):
    # Writes refused with 1290 are not counted by the server: with no session left to close,
    # whether the fault reached a client is not known, never "struck nothing".
    fault = armed.fault
    conn = client(fault)
    fault.inject()
    failure_of(lambda: run(conn, DEBIT))
    conn.close()
    effect = fault.heal()
    assert (effect.struck, effect.count) == (None, None)


@pytest.mark.parametrize("armed", ["failover-demotion"], indirect=True)
def test_the_standby_is_stopped_with_the_cell(armed):
    standby = armed.target.standby
    assert standby.running
    armed.stop()
    assert not standby.running


def test_sqlalchemy_takes_neither_1290_nor_1053_for_a_disconnect():
    # What the README says of the failover faults' errors, held to the installed SQLAlchemy.
    from sqlalchemy.dialects.mysql.pymysql import MySQLDialect_pymysql

    dialect = MySQLDialect_pymysql(dbapi=pymysql)

    def disconnect(code: int, message: str) -> bool:
        return dialect.is_disconnect(pymysql.err.OperationalError(code, message), None, None)

    assert not disconnect(1290, READ_ONLY_MESSAGE)
    assert not disconnect(1053, SHUTDOWN_MESSAGE)
    assert disconnect(2013, "Lost connection to MySQL server during query")


class _StandbyOnlyFault(Fault):
    name = "standby-only"  # not registered
    needs = frozenset({Need.STANDBY})

    def _inject(self) -> None:
        """Never run: the pre-flight refuses it."""

    def _heal(self) -> None:
        """Never run."""


def test_a_standby_is_a_pre_flight_skip_on_an_external_server():
    external = Backend(external_url="mysql://app:secret@127.0.0.1:3306/test")
    assert unmet_need(_StandbyOnlyFault, external, None) == Need.STANDBY.reason
    assert unmet_need(_StandbyOnlyFault, Backend(), None) is None


@needs_real_toxiproxy
def test_against_a_real_toxiproxy_the_endpoint_moves_and_live_links_close():
    # Moving the upstream is Toxiproxy's own API: the real server restarts the proxy on it.
    with real_toxiproxy() as real:
        fault_class = FAULTS.get("failover-demotion")
        with ArmedFault(fault_class, Backend(), real, set_up=_bank) as armed:
            fault = armed.fault
            standby = fault.target.standby
            conn = client(fault)
            fault.inject()
            assert repr(failure_of(lambda: run(conn, DEBIT))) == fault.produces
            assert fault.heal().count == 1
            assert repr(failure_of(lambda: run(conn, "SELECT 1"))) == LOST
            assert run(client(fault), "SELECT @@port") == [(standby.settings.port,)]


@pytest.mark.parametrize("armed", ["shutdown-mid-query"], indirect=True)
def test_shutdown_mid_query_answers_1053_then_closes_and_the_server_rolls_back(armed):
    fault = armed.fault
    conn = client(fault)
    fault.inject()
    conn.begin()
    run(conn, DEBIT)
    assert repr(failure_of(lambda: run(conn, CREDIT))) == fault.produces
    assert repr(failure_of(lambda: run(conn, "SELECT 1"))) == LOST
    assert balances(fault) == [1000, 1000]
    assert fault.heal() == FaultEffect(True, 1, "mysql_error removed")
