"""One armed fault: pre-flight, environment, set-up, prepare, inject, heal, stop, in one object,
with what each inject and heal did; real servers, a real proxy and real nftables."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pymysql
import pytest

from chaos.fault_effect import FaultEffect
from chaos.faults import FAULTS, FaultTarget
from chaos.runner.armed_fault import ArmedFault, FaultUnavailable
from chaos.runner.environment import Backend
from tests.netns.support import requires_net_admin


def _connections(target: FaultTarget, count: int) -> list[pymysql.Connection]:
    return [pymysql.connect(**target.client_settings.pymysql_kwargs()) for _ in range(count)]


@contextlib.contextmanager
def _open(target: FaultTarget, count: int) -> Iterator[list[pymysql.Connection]]:
    conns = _connections(target, count)
    try:
        yield conns
    finally:
        for conn in conns:
            with contextlib.suppress(pymysql.err.Error):
                conn.close()


def test_an_unmet_need_is_unavailable_before_anything_starts():
    armed = ArmedFault(FAULTS.get("reset-peer"), Backend(), toxiproxy=None)
    with pytest.raises(FaultUnavailable) as unavailable:
        armed.start()
    assert unavailable.value.reason == "needs a Toxiproxy server, and none is available"
    assert str(unavailable.value) == f"reset-peer: {unavailable.value.reason}"
    with pytest.raises(RuntimeError, match="reset-peer is not started"):
        armed.target  # noqa: B018 - nothing was started


def test_a_start_that_fails_in_set_up_stops_the_server_it_started():
    seen: list[FaultTarget] = []

    def set_up(target: FaultTarget) -> None:
        seen.append(target)
        raise RuntimeError("set-up broke on purpose")

    with pytest.raises(RuntimeError, match="set-up broke on purpose"):
        ArmedFault(FAULTS.get("kill-connection"), Backend(), set_up=set_up).start()
    (target,) = seen
    with pytest.raises(pymysql.err.OperationalError) as refused:
        pymysql.connect(**target.admin_settings.pymysql_kwargs(connect_timeout=2))
    assert refused.value.args[0] == 2003  # the server is gone


def test_kill_connection_says_how_many_of_the_clients_sessions_it_killed():
    with ArmedFault(FAULTS.get("kill-connection"), Backend()) as armed:
        with _open(armed.target, 3):
            effect = armed.inject()
            assert effect == FaultEffect(True, 3, "killed 3 client sessions")
            assert armed.inject() is effect  # idempotent: the first call's effect
        assert armed.heal() == FaultEffect(None, None, "nothing to repair")
        # A second round with no session of the client's open: it struck nothing.
        assert armed.inject() == FaultEffect(False, 0, "killed 0 client sessions")


def test_a_server_fault_states_what_it_did_and_a_heal_of_nothing_says_so():
    with ArmedFault(FAULTS.get("server-restart"), Backend()) as armed:
        assert armed.heal() == FaultEffect(False, 0, "not injected")
        with _open(armed.target, 2):
            effect = armed.inject()
        assert effect == FaultEffect(True, 2, "restarted the server; client sessions ended")
        assert armed.heal() == FaultEffect(None, None, "nothing to repair")
    assert not armed.injected


@requires_net_admin
def test_a_kernel_fault_counts_the_packets_its_rules_struck():
    with ArmedFault(FAULTS.get("middlebox-reset"), Backend()) as armed, armed.entered():
        # No connection of the client's yet: the rules meet nothing. (Asked first: after a
        # struck connection, its late packets may still meet the rules of a second inject.)
        assert armed.inject().count == 0
        armed.heal()
        with _open(armed.target, 1):
            effect = armed.inject()
        assert effect.struck is True and effect.count is not None and effect.count >= 1
        assert effect.detail == "reset packets both ways (nftables counters)"
