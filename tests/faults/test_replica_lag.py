"""replica-lag-read: a real replica held back, met by a plain pymysql client and by strategies
that split reads; it skips on MySQL and runs only when named."""

from __future__ import annotations

from collections.abc import Iterator

import pymysql
import pytest

from chaos.checker import ViolationKind
from chaos.errors import ServerBinaryMissingError, UsageError
from chaos.faults import FAULTS, Fault, FaultTarget, Need
from chaos.faults.base import select_faults
from chaos.faults.replica_lag import ReplicaLagReadFault
from chaos.runner.app_matrix import app_mode_faults
from chaos.runner.armed_fault import ArmedFault
from chaos.runner.cell import run_cell
from chaos.runner.environment import Backend
from chaos.runner.preflight import REPLICA_MARIADB_ONLY, unmet_need
from chaos.runner.timing import CellTiming
from chaos.servers.rootfs import MYSQL_FLAVOUR, mysql_binary
from chaos.strategy.registry import strategies
from chaos.verdicts.cell_result import CellResult
from chaos.workload.bank import create_bank, read_unit, transfer_unit


def _bank(target: FaultTarget) -> None:
    create_bank(target.admin_settings, accounts=2)


@pytest.fixture
def armed() -> Iterator[ArmedFault]:
    with ArmedFault(ReplicaLagReadFault, Backend(), set_up=_bank) as armed:
        yield armed


def _connect(settings) -> pymysql.Connection:  # type: ignore[no-untyped-def]
    return pymysql.connect(**settings.pymysql_kwargs(read_timeout=3))


def _moves_seen(conn: pymysql.Connection) -> int:
    """The bank's own read, as a strategy runs it: how many transfers it saw."""
    seen = read_unit("r").body(conn).moves_seen
    conn.commit()
    assert seen is not None
    return seen


def test_a_plain_client_reads_on_the_lagging_replica_what_was_there_before_its_write(
    armed: ArmedFault,
) -> None:
    fault = armed.fault
    primary = _connect(fault.target.client_settings)
    replica = _connect(fault.target.read_settings)
    try:
        assert _moves_seen(replica) == 0
        armed.inject()
        transfer_unit("w0-1", 1, 2, 5).body(primary)
        primary.commit()  # acknowledged by the primary
        assert _moves_seen(primary) == 1
        assert _moves_seen(replica) == 0  # stale: the write is not there
        effect = armed.heal()
        assert effect.struck is True and effect.count == 1  # the one read above
        assert _moves_seen(replica) == 1  # heal waited until the replica caught up
    finally:
        primary.close()
        replica.close()


def test_a_replica_nobody_read_during_the_lag_struck_nothing(armed: ArmedFault) -> None:
    armed.inject()
    effect = armed.heal()
    assert (effect.struck, effect.count) == (False, 0)
    assert effect.detail.startswith("no read reached the lagging replica")


def test_the_replica_refuses_the_app_account_s_writes() -> None:
    with ArmedFault(ReplicaLagReadFault, Backend(), set_up=_bank) as armed:
        replica = _connect(armed.target.read_settings)
        try:
            with pytest.raises(pymysql.err.OperationalError) as refused:
                transfer_unit("w0-1", 1, 2, 5).body(replica)
            assert refused.value.args[0] == 1290
        finally:
            replica.close()


def _cell(strategy: str) -> CellResult:
    return run_cell(
        strategy,
        strategies().get(strategy),
        ReplicaLagReadFault,
        backend=Backend(),
        toxiproxy=None,
        timing=CellTiming(),
    )


def test_read_split_is_caught_with_stale_read_and_nothing_else() -> None:
    result = _cell("read-split")
    assert result.check is not None, result.error
    assert result.check.kinds() == {ViolationKind.STALE_READ}


def test_read_split_gtid_waits_for_the_write_and_passes() -> None:
    result = _cell("read-split-gtid")
    assert result.check is not None, result.error
    assert result.check.passed, result.check.violations
    assert result.strike is not None and result.strike.struck is True


def test_a_strategy_that_never_reads_the_replica_is_not_a_pass() -> None:
    result = _cell("safe")
    assert result.check is not None, result.error
    assert result.check.kinds() == {ViolationKind.UNEXERCISED}


def test_it_runs_only_when_named_and_never_in_app_mode() -> None:
    fault: type[Fault] = FAULTS.get("replica-lag-read")
    assert fault.only_when_named
    assert "replica-lag-read" not in select_faults([])
    assert select_faults(["replica-lag-read"]) == ["replica-lag-read"]
    assert "replica-lag-read" not in app_mode_faults([], all_faults=True)
    with pytest.raises(UsageError, match="replica-lag-read is not run in app mode"):
        app_mode_faults(["replica-lag-read"], all_faults=False)


def test_it_skips_in_a_container_and_on_an_external_server_before_anything_starts() -> None:
    container = Backend(docker_image="debian:bookworm")
    assert unmet_need(ReplicaLagReadFault, container, None) == Need.REPLICA.reason
    external = Backend(external_url="mysql://app:x@127.0.0.1:1/test")
    assert unmet_need(ReplicaLagReadFault, external, None) is not None


def test_it_skips_on_mysql_with_its_reason() -> None:
    try:
        mysql_binary()
    except ServerBinaryMissingError as missing:
        pytest.skip(str(missing))
    backend = Backend(server_binary=MYSQL_FLAVOUR)
    assert unmet_need(ReplicaLagReadFault, backend, None) == REPLICA_MARIADB_ONLY
    result = run_cell(
        "safe",
        strategies().get("safe"),
        ReplicaLagReadFault,
        backend=backend,
        toxiproxy=None,
        timing=CellTiming(),
    )
    assert result.skipped == REPLICA_MARIADB_ONLY
