"""Each proxy fault produces its stated pymysql exception against a real MariaDB.

A plain pymysql client (read_timeout=1) runs one bank transfer through the embedded Toxiproxy
while the fault is injected; the exception's repr must equal the fault's ``produces``. reset-peer
runs against the real Toxiproxy too when ``TOXIPROXY_URL`` names one: its ``produces`` must hold
on both servers.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import pymysql
import pytest

from chaos.faults import FAULTS, Fault
from chaos.runner.environment import Backend, CellEnvironment
from chaos.toxiproxy.client import ToxiproxyClient
from chaos.toxiproxy.embedded import EmbeddedToxiproxy
from chaos.workload.bank import create_schema, read_state, transfer_unit

PROXY_FAULTS = ["reset-peer", "outage", "slow-network", "mid-transaction-drop", "ambiguous-commit"]


@pytest.fixture(scope="module")
def toxiproxy() -> Iterator[ToxiproxyClient]:
    with EmbeddedToxiproxy(mode="process").start() as server:
        yield server.client()


def _transfer_under(fault: Fault) -> BaseException | None:
    target = fault.target
    conn = pymysql.connect(**target.client_settings.pymysql_kwargs(read_timeout=1))
    unit = transfer_unit("op-1", 1, 2, 5)
    fault.inject()
    try:
        conn.begin()
        unit.body(conn)
        conn.commit()
    except pymysql.err.MySQLError as e:
        return e
    finally:
        fault.heal()
        conn.close()
    return None


@pytest.fixture
def environment(request: pytest.FixtureRequest, toxiproxy: ToxiproxyClient) -> Iterator[Fault]:
    with _prepared(request.param, toxiproxy) as fault:
        yield fault


@pytest.fixture
def real_toxiproxy() -> ToxiproxyClient:
    url = os.environ.get("TOXIPROXY_URL", "").strip()
    if not url:
        pytest.skip("TOXIPROXY_URL names no real Toxiproxy")
    return ToxiproxyClient(url)


@contextlib.contextmanager
def _prepared(fault_name: str, toxiproxy: ToxiproxyClient) -> Iterator[Fault]:
    with CellEnvironment(FAULTS.get(fault_name), Backend(), toxiproxy) as env:
        assert env.target is not None
        admin = pymysql.connect(**env.target.admin_settings.pymysql_kwargs())
        try:
            create_schema(admin, accounts=2)
        finally:
            admin.close()
        fault = FAULTS.get(fault_name)(env.target)
        fault.prepare()
        yield fault


@pytest.mark.parametrize("environment", PROXY_FAULTS, indirect=True)
def test_proxy_fault_produces_its_stated_exception(environment: Fault) -> None:
    assert environment.produces
    assert repr(_transfer_under(environment)) == environment.produces


def test_reset_peer_produces_its_stated_exception_on_a_real_toxiproxy(
    real_toxiproxy: ToxiproxyClient,
) -> None:
    with _prepared("reset-peer", real_toxiproxy) as fault:
        assert repr(_transfer_under(fault)) == fault.produces


@pytest.mark.parametrize("environment", ["reset-peer"], indirect=True)
def test_reset_peer_unprepared_closes_live_links_with_eof(environment: Fault) -> None:
    # Without prepare() the toxic arrives after the link opened: upstream closes it with FIN.
    environment.target.proxy.remove_toxic(environment.toxic_name)
    error = _transfer_under(environment)
    assert repr(error) == "OperationalError(2013, 'Lost connection to MySQL server during query')"


@pytest.mark.parametrize("environment", ["ambiguous-commit"], indirect=True)
def test_ambiguous_commit_loses_the_ok_of_a_commit_that_was_applied(environment: Fault) -> None:
    error = _transfer_under(environment)
    assert isinstance(error, pymysql.err.OperationalError)
    state = read_state(environment.target.admin_settings)
    assert [row.op_id for row in state.ledger] == ["op-1"]


@pytest.mark.parametrize("environment", ["mid-transaction-drop"], indirect=True)
def test_mid_transaction_drop_leaves_nothing_of_the_transaction(environment: Fault) -> None:
    error = _transfer_under(environment)
    assert isinstance(error, pymysql.err.OperationalError)
    state = read_state(environment.target.admin_settings)
    assert state.ledger == ()
    assert {account.balance for account in state.accounts} == {1000}
