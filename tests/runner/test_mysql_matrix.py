"""The matrix as a CI gate on Oracle MySQL: a representative subset runs there and is held to
MySQL's recorded verdicts (MariaDB's table with the cells where MySQL differs laid over it).

The subset is the reference safe strategy and the seed's naive connection under the faults
where the two servers part ways on the wire: the idle timeout (MySQL's 4031 goodbye), a KILL
and a restart (MySQL sends nothing), the emulated 4031, and an ambiguous COMMIT (every
reconnect a caching_sha2_password login). Skipped, with the one reason, where the MySQL root
filesystem has not been made (``./quickstart install-mysql``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from chaos.errors import ServerBinaryMissingError
from chaos.faults import FAULTS
from chaos.runner.environment import Backend
from chaos.runner.matrix import run_matrix
from chaos.runner.matrix_plan import MatrixOutcome, MatrixRequest, plan_matrix, run_plan
from chaos.servers.rootfs import MYSQL_FLAVOUR, mysql_binary
from chaos.strategy.expectations import IN_PROCESS, expected_verdicts
from chaos.verdicts import ExitCode

from .broken_strategies import (
    ObjectsKeptOnReconnect,
    ObjectsLostOnPingReconnect,
    PrePingPool,
    SessionSetAfterConnect,
)

try:
    mysql_binary()
except ServerBinaryMissingError as missing:
    pytest.skip(str(missing), allow_module_level=True)

STRATEGIES = ("safe", "naive-global")
FAULTS_SUBSET = [
    "idle-timeout",
    "kill-connection",
    "server-restart",
    "mysql8-idle-disconnect",
    "ambiguous-commit",
]
MYSQL = Backend(server_binary=MYSQL_FLAVOUR)
MYSQL_CHAOS = str(Path(sys.executable).with_name("mysql-chaos"))


@pytest.fixture(scope="module")
def mysql_subset() -> MatrixOutcome:
    plan = plan_matrix(
        MatrixRequest(STRATEGIES, FAULTS_SUBSET, MYSQL, jobs=len(STRATEGIES) * len(FAULTS_SUBSET))
    )
    assert plan.flavour == "mysql"
    return run_plan(plan)


def test_the_subset_on_mysql_meets_mysqls_recorded_verdicts(mysql_subset: MatrixOutcome) -> None:
    results = mysql_subset.run.results
    assert [
        (r.strategy, r.fault, r.error or r.skipped) for r in results if r.error or r.skipped
    ] == []
    expected = expected_verdicts(IN_PROCESS, "mysql")
    assert {(r.strategy, r.fault): r.violations for r in results} == {
        (s, f): expected[(s, f)].violations for s in STRATEGIES for f in FAULTS_SUBSET
    }
    assert mysql_subset.report.gate.exit_code is ExitCode.OK


def test_on_mysql_safe_passes_and_the_naive_connection_never_recovers(
    mysql_subset: MatrixOutcome,
) -> None:
    verdicts = {(r.strategy, r.fault): r.violations for r in mysql_subset.run.results}
    assert all(verdicts[("safe", fault)] == () for fault in FAULTS_SUBSET)
    assert verdicts[("naive-global", "kill-connection")] == ("lost-in-fault", "not-recovered")


#: The faults whose MySQL exception is not MariaDB's, each stating it (``produces_by_flavour``).
MYSQL_OWN_PRODUCES = sorted(
    name for name in FAULTS.names() if "mysql" in FAULTS.get(name).produces_by_flavour
)


def test_the_faults_that_state_a_mysql_exception_are_the_measured_ones() -> None:
    # `repro --server mysql` over the whole catalogue (MySQL 9.7.4): every other fault gives
    # the exception it gives on MariaDB.
    assert MYSQL_OWN_PRODUCES == ["failover-demotion", "idle-timeout"]


@pytest.mark.parametrize("name", MYSQL_OWN_PRODUCES)
def test_repro_on_mysql_exits_0_with_the_exception_the_faults_mysql_produces_states(
    name: str,
) -> None:
    fault = FAULTS.get(name)
    run = subprocess.run(
        [MYSQL_CHAOS, "repro", "--server", "mysql", "--variant", fault.name],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"   exception: {fault.produces_on('mysql')}\n" in run.stdout
    # idle-timeout: MySQL's 4031 goodbye is not MariaDB's silent close; failover-demotion: the
    # same 1290, in the server's own name.
    assert fault.produces_on("mysql") != fault.produces_on("mariadb")


def test_on_mysql_a_session_set_after_connect_and_lost_on_reconnect_is_drift() -> None:
    # MySQL names the isolation variable transaction_isolation (tx_isolation is gone) and its
    # default collation utf8mb4_0900_ai_ci: the reading and the checker hold there too.
    run = run_matrix(
        [("set-after-connect", SessionSetAfterConnect), ("pre-ping", PrePingPool)],
        [FAULTS.get("kill-connection")],
        backend=MYSQL,
        jobs=2,
    )
    verdicts = {r.strategy: (r.error, r.violations) for r in run.results}
    assert verdicts == {"set-after-connect": (None, ("drift",)), "pre-ping": (None, ())}
    [drifted] = [r for r in run.results if r.strategy == "set-after-connect"]
    assert drifted.check is not None
    assert any(
        v.detail.startswith("worker 0: isolation was 'READ-COMMITTED' after setup")
        for v in drifted.check.of_kind("drift")
    ), [v.detail for v in drifted.check.violations]


def test_on_mysql_session_objects_lost_on_a_ping_reconnect_are_drift() -> None:
    # MySQL's errors for a missing temporary table (1146) and prepared statement (1243) are
    # MariaDB's: the probes read both flavours alike.
    run = run_matrix(
        [("objects-lost", ObjectsLostOnPingReconnect), ("objects-kept", ObjectsKeptOnReconnect)],
        [FAULTS.get("kill-connection")],
        backend=MYSQL,
        jobs=2,
    )
    verdicts = {r.strategy: (r.error, r.violations) for r in run.results}
    assert verdicts == {"objects-lost": (None, ("drift",)), "objects-kept": (None, ())}


def test_on_mysql_the_connector_logs_in_over_tls_and_a_wire_fault_is_unexercised_never_a_pass():
    """mysql-connector cannot log in to MySQL 9 over plain TCP: its links are TLS, which the
    protocol toxics pass through. The wire fault must read unexercised (it used to hang the
    link), and a fault the server makes still strikes it, as recorded for MySQL."""
    pytest.importorskip("mysql.connector", reason="the drivers extra is not installed")
    cells = [("safe-connector-c", "mid-transaction-drop"), ("safe-connector-c", "kill-connection")]
    plan = plan_matrix(
        MatrixRequest(("safe-connector-c",), [fault for _, fault in cells], MYSQL, jobs=len(cells))
    )
    outcome = run_plan(plan)
    measured = {(r.strategy, r.fault): (r.error, r.violations) for r in outcome.run.results}
    expected = expected_verdicts(IN_PROCESS, "mysql")
    assert measured == {cell: (None, expected[cell].violations) for cell in cells}
    assert measured[cells[0]] == (None, ("unexercised",))
    [wire] = [r for r in outcome.run.results if r.fault == "mid-transaction-drop"]
    assert wire.strike is not None and wire.strike.count == 0
