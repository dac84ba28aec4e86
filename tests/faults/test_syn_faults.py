"""syn-drop and syn-refused strike a plain pymysql client (no mysql-chaos code in its path): its
session is closed, its reconnect meets the rule and gets the fault's ``produces``, and what
struck is what the kernel saw: each connect attempt, counted once, per tenth of a second."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

import pymysql
import pytest

from chaos.faults import FAULTS
from chaos.runner.armed_fault import ArmedFault
from chaos.runner.environment import Backend
from tests.netns.support import requires_net_admin

SYN_FAULTS = ["syn-drop", "syn-refused"]


@pytest.fixture
def armed(request: pytest.FixtureRequest) -> Iterator[ArmedFault]:
    with ArmedFault(FAULTS.get(request.param), Backend()) as armed, armed.entered():
        yield armed


def connect(armed: ArmedFault, connect_timeout: float = 1) -> pymysql.Connection:
    settings = armed.target.client_settings
    return pymysql.connect(**settings.pymysql_kwargs(connect_timeout=connect_timeout))


def failed_connect(armed: ArmedFault) -> str:
    with pytest.raises(pymysql.err.OperationalError) as failed:
        connect(armed)
    return repr(failed.value)


@requires_net_admin
@pytest.mark.parametrize("armed", SYN_FAULTS, indirect=True)
def test_the_session_is_closed_and_every_reconnect_meets_the_rule(armed):
    fault = armed.fault
    conn = connect(armed)
    try:
        inject = armed.inject()
        assert inject.detail == f"killed 1 client session; new connections {fault.verb}"
        with pytest.raises(pymysql.err.OperationalError), conn.cursor() as cursor:
            cursor.execute("SELECT 1")  # the KILL: the client must connect again
    finally:
        with contextlib.suppress(pymysql.err.Error):
            conn.close()
    assert [failed_connect(armed) for _ in range(3)] == [fault.produces] * 3
    heal = armed.heal()
    assert (heal.struck, heal.count, heal.connects) == (True, 3, 3)
    assert sum(heal.connects_per_tenth) == 3
    connect(armed).close()  # healed: new connections pass


@requires_net_admin
@pytest.mark.parametrize("armed", ["syn-refused"], indirect=True)
def test_the_attempts_are_counted_in_the_tenth_of_a_second_they_came(armed):
    armed.inject()
    failed_connect(armed)
    time.sleep(0.35)
    failed_connect(armed)
    failed_connect(armed)
    per_tenth = armed.heal().connects_per_tenth
    assert sum(per_tenth) == 3
    first = next(i for i, n in enumerate(per_tenth) if n)
    assert per_tenth[first] == 1 and sum(per_tenth[first + 3 : first + 5]) == 2, per_tenth


@requires_net_admin
@pytest.mark.parametrize("armed", SYN_FAULTS, indirect=True)
def test_a_client_that_never_connects_was_not_struck(armed):
    armed.inject()
    heal = armed.heal()
    assert (heal.struck, heal.count, heal.connects, heal.connects_per_tenth) == (False, 0, 0, ())
    assert armed.heal() == heal  # idempotent


@requires_net_admin
@pytest.mark.parametrize("armed", ["syn-drop"], indirect=True)
def test_a_dropped_connect_waits_for_the_client_timeout_and_a_retransmission_counts_once(armed):
    armed.inject()
    started = time.monotonic()
    with pytest.raises(pymysql.err.OperationalError):
        connect(armed, connect_timeout=2.5)  # the kernel sends the SYN again after 1 s
    assert time.monotonic() - started >= 2.5
    assert armed.heal().connects == 1
