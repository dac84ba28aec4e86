"""The handshake faults against a plain pymysql client through the embedded Toxiproxy: a new
connection gets the fault's ``produces``, a session already open is closed by the inject, and
the heal says how many logins the fault met (none: it struck nothing)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pymysql
import pytest

from chaos.fault_effect import FaultEffect
from chaos.faults import FAULTS, Fault
from chaos.faults.login_faults import CLOSE_TOXIC_NAME, LoginFault
from chaos.faults.wire_faults import TOXIC_NAME
from chaos.runner.armed_fault import ArmedFault
from chaos.runner.environment import Backend
from chaos.toxiproxy.client import ToxiproxyClient
from chaos.toxiproxy.embedded import EmbeddedToxiproxy

LOGIN_FAULTS = sorted(name for name in FAULTS.names() if issubclass(FAULTS.get(name), LoginFault))
REFUSALS = [name for name in LOGIN_FAULTS if name != "greeting-stall"]


@pytest.fixture(scope="module")
def toxiproxy() -> Iterator[ToxiproxyClient]:
    with EmbeddedToxiproxy(mode="process").start() as server:
        yield server.client()


@pytest.fixture
def fault(request: pytest.FixtureRequest, toxiproxy: ToxiproxyClient) -> Iterator[Fault]:
    with ArmedFault(FAULTS.get(request.param), Backend(), toxiproxy) as armed:
        yield armed.fault


def connect(fault: Fault, **timeouts: float) -> pymysql.Connection:
    return pymysql.connect(**fault.target.client_settings.pymysql_kwargs(**timeouts))


def select_one(conn: pymysql.Connection) -> None:
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1")


def test_the_handshake_faults_are_the_four_of_the_catalogue():
    assert LOGIN_FAULTS == [
        "greeting-stall",
        "login-access-denied",
        "login-host-blocked",
        "login-max-connections",
    ]


@pytest.mark.parametrize("fault", REFUSALS, indirect=True)
def test_a_new_connection_is_refused_with_the_faults_error_and_the_heal_counts_it(fault):
    live = connect(fault, read_timeout=3)
    inject = fault.inject()
    assert inject.detail.endswith("live links closed: 1") and inject.struck is None
    with pytest.raises(pymysql.err.OperationalError) as lost:
        select_one(live)  # the open session was closed by the inject
    assert lost.value.args[0] == 2013
    with pytest.raises(pymysql.err.OperationalError) as refused:
        connect(fault, connect_timeout=2, read_timeout=3)
    assert repr(refused.value) == fault.produces
    effect = fault.heal()
    assert effect == FaultEffect(True, 1, "mysql_login_error removed: logins refused")
    select_one(connect(fault, read_timeout=3))  # healed: logins work again


@pytest.mark.parametrize("fault", ["login-max-connections"], indirect=True)
def test_a_client_that_never_connects_during_the_fault_was_not_struck(fault):
    # Its session was closed, but the fault is the refused login: it never met one.
    connect(fault, read_timeout=3)
    fault.inject()
    assert fault.heal() == FaultEffect(False, 0, "mysql_login_error removed: logins refused")


@pytest.mark.parametrize("fault", ["login-max-connections"], indirect=True)
def test_a_session_opened_before_the_toxic_is_never_refused(fault):
    # The toxic alone (no close): it acts on links that open while it is present.
    live = connect(fault, read_timeout=3)
    fault.target.proxy.add_toxic("mysql_login_error", name=TOXIC_NAME, code=1040)
    select_one(live)
    with pytest.raises(pymysql.err.OperationalError):
        connect(fault, connect_timeout=2)
    select_one(live)
    fault.target.proxy.remove_toxic(TOXIC_NAME)


@pytest.mark.parametrize("fault", ["greeting-stall"], indirect=True)
def test_a_stalled_greeting_times_out_only_with_a_read_timeout(fault):
    fault.inject()
    started = time.monotonic()
    with pytest.raises(pymysql.err.OperationalError) as stalled:
        connect(fault, connect_timeout=1, read_timeout=1)
    assert repr(stalled.value) == fault.produces
    assert 0.9 < time.monotonic() - started < 3
    effect = fault.heal()
    assert effect == FaultEffect(True, 1, "mysql_greeting_delay removed: greetings held")


@pytest.mark.parametrize("fault", ["greeting-stall"], indirect=True)
def test_connect_timeout_does_not_cover_the_greeting(fault):
    # PyMySQL's connect_timeout bounds the TCP connect only: with no read timeout the client
    # waits for the greeting as long as it is held (here 1.5 s, well past connect_timeout=0.5).
    proxy = fault.target.proxy
    proxy.add_toxic("mysql_greeting_delay", name=TOXIC_NAME, delay=1500)
    started = time.monotonic()
    conn = connect(fault, connect_timeout=0.5)
    waited = time.monotonic() - started
    select_one(conn)
    assert waited >= 1.5
    proxy.remove_toxic(TOXIC_NAME)


@pytest.mark.parametrize("fault", ["login-max-connections"], indirect=True)
def test_a_heal_after_an_inject_that_broke_halfway_removes_what_is_there(fault):
    # The close toxic left behind, the login toxic never added: heal cleans up, says no strike.
    fault.injected = True
    fault.target.proxy.add_toxic("mysql_close", name=CLOSE_TOXIC_NAME, count=0)
    assert fault.heal() == FaultEffect(None, None, "mysql_login_error removed: logins refused")
    assert fault.target.proxy.toxics() == []
