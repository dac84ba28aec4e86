"""Every fault of the catalogue, shown by ``repro`` to one plain pymysql connection, gives
exactly the exception its ``produces`` states (or, where a fault states none yet, the one
measured here). Parametrized over FAULTS: a fault added without a repro fails here.

The strings are measured facts (pymysql 1.2 against MariaDB 10.11 on Linux).
"""

from __future__ import annotations

from collections.abc import Iterator

import pymysql
import pytest

from chaos.drivers import driver
from chaos.errors import FaultError
from chaos.faults import FAULTS, Fault, Need
from chaos.faults.client_actions import (
    QUERY,
    SCHEMA,
    TABLE,
    TRANSACTION,
    TRANSACTION_OF_TWO,
    ClientAction,
)
from chaos.faults.produced import LOST
from chaos.netns import net_admin_missing_reason
from chaos.repro import reproduce_fault
from chaos.runner.environment import Backend, CellEnvironment
from chaos.toxiproxy.client import ToxiproxyClient
from chaos.toxiproxy.embedded import EmbeddedToxiproxy

PYMYSQL = driver("pymysql")

#: The faults that strike a transaction: their repro must run one, not a lone query.
STRIKE_A_TRANSACTION = {
    "mid-transaction-drop",
    "ambiguous-commit",
    "lost-commit",
    "deadlock",
    "lock-wait-timeout",
    "mid-transaction-outage",
    "commit-in-flight",
    "failover-demotion",
    "shutdown-mid-query",
}


@pytest.fixture(scope="module")
def toxiproxy() -> Iterator[ToxiproxyClient]:
    with EmbeddedToxiproxy(mode="process").start() as server:
        yield server.client()


def _expected(fault: type[Fault]) -> str:
    return fault.produces


def _params() -> list[object]:
    # Kernel faults are not skipped here: without CAP_NET_ADMIN the test checks the skip.
    params = []
    for name in FAULTS.names():
        marks = [pytest.mark.netadmin] if Need.NETNS in FAULTS.get(name).needs else []
        params.append(pytest.param(name, marks=marks, id=name))
    return params


@pytest.mark.parametrize("name", _params())
def test_the_repro_of_each_fault_gives_exactly_its_stated_exception(name, toxiproxy):
    fault = FAULTS.get(name)
    assert _expected(fault), f"{name}: states no produces"
    result = reproduce_fault(fault, toxiproxy)
    missing = net_admin_missing_reason()
    if Need.NETNS in fault.needs and missing is not None:
        # Without CAP_NET_ADMIN the pre-flight reason is the outcome, and nothing started.
        assert (result.skipped, result.error, result.failure) == (missing, None, None)
        pytest.skip(missing)
    assert result.failure is None and result.skipped is None
    assert repr(result.error) == _expected(fault)
    assert (result.event, result.injection) == (fault.description, fault.mechanism)


def test_every_fault_states_the_exception_it_produces():
    # The catalogue is the one place that says what each fault gives a client; the repro of
    # every fault (above) holds each statement to a real run.
    assert [name for name in FAULTS.names() if not FAULTS.get(name).produces] == []


def test_every_fault_has_a_client_action_and_transaction_faults_run_a_transaction():
    for name in FAULTS.names():
        action = FAULTS.get(name).repro_action
        assert isinstance(action, ClientAction), name
        assert (action is TRANSACTION_OF_TWO) == (name in STRIKE_A_TRANSACTION), name


class _InjectRaisesFault(Fault):
    name = "inject-raises"  # not registered
    description = "an event whose injection breaks"
    mechanism = "raises in inject()"
    repro_action = QUERY

    def _inject(self) -> None:
        raise FaultError("inject broke on purpose")

    def _heal(self) -> None:
        """Nothing was done."""


def test_a_fault_whose_inject_raises_is_a_failure_with_its_message_never_a_skip():
    result = reproduce_fault(_InjectRaisesFault)
    assert (result.failure, result.skipped, result.error) == ("inject broke on purpose", None, None)


class _NoActionFault(_InjectRaisesFault):
    name = "not-in-the-catalogue"
    repro_action = None


def test_a_fault_without_a_client_action_is_a_failure_naming_it():
    result = reproduce_fault(_NoActionFault)
    assert result.failure == "no client action for fault 'not-in-the-catalogue'"


def test_a_proxy_fault_without_a_toxiproxy_skips_with_the_pre_flight_reason():
    result = reproduce_fault(FAULTS.get("deadlock"), toxiproxy=None)
    assert result.skipped == "needs a Toxiproxy server, and none is available"


def test_the_transaction_shape_commits_when_no_fault_strikes(toxiproxy):
    # The same two UPDATEs and COMMIT through the same proxy with no toxic added: the errors
    # above come from the faults, not from the shape itself.
    with CellEnvironment(FAULTS.get("lock-wait-timeout"), Backend(), toxiproxy) as env:
        assert env.target is not None
        admin = pymysql.connect(**env.target.admin_settings.pymysql_kwargs())
        try:
            with admin.cursor() as cursor:
                for sql in SCHEMA:
                    cursor.execute(sql)
            admin.commit()
            conn = pymysql.connect(**env.target.client_settings.pymysql_kwargs())
            TRANSACTION_OF_TWO.after_inject(PYMYSQL, conn, env.target.client_settings)
            conn.close()
            with admin.cursor() as cursor:
                cursor.execute(f"SELECT n FROM {TABLE} ORDER BY id")
                assert [row[0] for row in cursor.fetchall()] == [-1, 1]
        finally:
            admin.close()
    assert len(TRANSACTION) == 2


def test_on_mysql_only_the_idle_timeout_and_the_demotion_give_another_exception():
    # Measured with `repro --server mysql` over the whole catalogue (MySQL 9.7.4): MySQL's
    # 4031 goodbye before an idle close, and its own wording of 1290, are the differences a
    # plain pymysql client sees.
    differs = {
        name: FAULTS.get(name).produces_on("mysql")
        for name in FAULTS.names()
        if FAULTS.get(name).produces_on("mysql") != FAULTS.get(name).produces
    }
    assert set(differs) == {"idle-timeout", "failover-demotion"}
    assert differs["idle-timeout"] == LOST
    assert "1290" in differs["failover-demotion"] and "MySQL server" in differs["failover-demotion"]
    assert FAULTS.get("idle-timeout").produces_on("mariadb") == FAULTS.get("idle-timeout").produces
