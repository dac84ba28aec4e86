"""Each deliberately broken strategy is caught by the fault made for its bug, in 5 runs of 5.

Every test runs the same cell five times at once (each with its own server and proxy) through
the real matrix runner and demands the same verdict from all five: a bug caught "usually" is a
fault or checker that depends on timing, which is itself a bug.
"""

from __future__ import annotations

import re

from chaos.faults import FAULTS
from chaos.runner.matrix import run_matrix
from chaos.strategy import StrategyFactory
from chaos.verdicts.cell_result import CellResult
from tests.netns.support import requires_net_admin

from .broken_strategies import (
    AutocommitAfterReconnect,
    AutocommitPersistentDB,
    ConnectRetryTightLoop,
    ConnectRetryWithBackoff,
    KeyedLostCommitReportedFailed,
    KeyedSafe,
    LockingReadBack,
    LostCommitAssumedApplied,
    NeverReplacedPerThread,
    NoRollbackAfterError,
    ObjectsKeptOnReconnect,
    ObjectsLostOnPingReconnect,
    PlainReadBack,
    PrePingPool,
    RecycleWithoutPing,
    SessionSetAfterConnect,
)

RUNS = 5


def run_five_times(factory: StrategyFactory, fault: str, runs: int = RUNS) -> list[CellResult]:
    run = run_matrix(
        [(f"run-{n}", factory) for n in range(1, runs + 1)], [FAULTS.get(fault)], jobs=runs
    )
    results = sorted(run.results, key=lambda r: r.strategy)
    assert [(r.strategy, r.error, r.skipped) for r in results] == [
        (f"run-{n}", None, None) for n in range(1, runs + 1)
    ]
    return results


def run_once(factory: StrategyFactory, fault: str) -> CellResult:
    """One cell: these were measured 5 of 5 by hand (run_five_times); the suite runs each once."""
    [result] = run_five_times(factory, fault, runs=1)
    return result


def assert_caught_every_time(results: list[CellResult], kind: str) -> None:
    verdicts = [r.violations for r in results]
    assert all(kind in verdict for verdict in verdicts), verdicts
    assert len(set(verdicts)) == 1, f"the verdict changed between runs: {verdicts}"


def test_a_lost_commit_assumed_applied_is_a_lost_ack_every_time() -> None:
    results = run_five_times(LostCommitAssumedApplied, "lost-commit")
    assert_caught_every_time(results, "lost-ack")


def test_a_per_thread_connection_never_replaced_is_not_recovered_per_worker_every_time() -> None:
    # kill-connection strikes idle connections only: the operations it failed are judged too.
    expected = {
        "reset-peer": ("not-recovered",),
        "kill-connection": ("lost-in-fault", "not-recovered"),
    }
    for fault, violations in expected.items():
        results = run_five_times(NeverReplacedPerThread, fault)
        assert [r.violations for r in results] == [violations] * RUNS, fault
        for result in results:
            assert result.check is not None
            named = [
                re.match(r"worker (\d+): (\d+) attempt\(s\) after heal .*none ok", v.detail)
                for v in result.check.of_kind("not-recovered")
            ]
            # Every worker's broken connection is named, with the attempts that prove it.
            assert all(named), [v.detail for v in result.check.violations]
            assert sorted(int(m.group(1)) for m in named if m) == [0, 1, 2, 3]
            for violation, match in zip(result.check.of_kind("not-recovered"), named, strict=True):
                assert match is not None
                assert len(violation.op_ids) == int(match.group(2)) > 0
                assert all(op_id.startswith(f"w{match.group(1)}-") for op_id in violation.op_ids)


def test_committing_after_a_lock_wait_timeout_is_partial_every_time() -> None:
    results = run_five_times(NoRollbackAfterError, "lock-wait-timeout")
    assert_caught_every_time(results, "partial")


def test_committing_after_a_deadlock_is_caught_every_time() -> None:
    # The server rolled the whole transaction back; committing "what ran" acknowledges a
    # transfer that is not there.
    results = run_five_times(NoRollbackAfterError, "deadlock")
    assert_caught_every_time(results, "lost-ack")


def test_autocommit_statements_without_a_transaction_are_partial_every_time() -> None:
    results = run_five_times(AutocommitPersistentDB, "mid-transaction-outage")
    assert_caught_every_time(results, "partial")
    for result in results:
        assert result.check is not None
        # The final state, not a lucky read, proves it: a transfer is not all-or-nothing.
        assert any("not all-or-nothing" in v.detail for v in result.check.of_kind("partial"))


def test_a_read_that_writes_a_key_row_does_not_take_the_strike_meant_for_a_transfer() -> None:
    # Every unit writes a key row, reads included: the strike must still land on a transfer,
    # where the bug (a COMMIT lost on the way back reported as failed) lives.
    result = run_once(KeyedLostCommitReportedFailed, "ambiguous-commit")
    assert result.violations == ("false-failure",)
    assert result.check is not None
    [violation] = result.check.violations
    # The first operation of the fault phase (after two transfers and a read per worker).
    assert re.fullmatch(r"w[0-2]-4", violation.op_ids[0]), violation.op_ids  # a transfer


def test_a_correct_strategy_whose_reads_write_passes_the_strike_once_faults() -> None:
    for fault in ("ambiguous-commit", "commit-in-flight"):
        assert run_once(KeyedSafe, fault).violations == (), fault


def test_a_plain_read_back_races_a_commit_still_in_flight_and_applies_it_twice() -> None:
    assert run_once(PlainReadBack, "commit-in-flight").violations == ("duplicate",)


def test_a_locking_read_back_waits_for_a_commit_still_in_flight() -> None:
    assert run_once(LockingReadBack, "commit-in-flight").violations == ()


def test_a_pool_that_recycles_but_never_pings_loses_operations_to_an_idle_fault() -> None:
    result = run_once(RecycleWithoutPing, "kill-connection")
    assert result.violations == ("lost-in-fault",)
    assert result.check is not None
    [violation] = result.check.violations
    # Every worker's first operation after the fault got a dead connection.
    assert sorted(op_id.split("-")[0] for op_id in violation.op_ids) == ["w0", "w1", "w2", "w3"]
    assert violation.detail.startswith("4 of 8 operations failed")


def test_a_pool_that_pings_at_checkout_loses_nothing_to_an_idle_fault() -> None:
    # Nor its session state: its new connections run the setup's init_command (no drift).
    assert run_once(PrePingPool, "kill-connection").violations == ()


def test_a_reconnect_that_turns_autocommit_on_half_applies_the_next_transfer() -> None:
    result = run_once(AutocommitAfterReconnect, "reconnect-drop")
    assert result.violations == ("drift", "partial")
    assert result.check is not None
    assert any("not all-or-nothing" in v.detail for v in result.check.of_kind("partial"))
    # The reads of a reconnected worker show why: autocommit is on in its new session.
    assert all(
        re.match(r"worker \d: autocommit was '0' after setup, then '1'", v.detail)
        for v in result.check.of_kind("drift")
    ), [v.detail for v in result.check.of_kind("drift")]


def test_a_reconnect_that_keeps_autocommit_off_is_all_or_nothing() -> None:
    assert run_once(PrePingPool, "reconnect-drop").violations == ()


@requires_net_admin
def test_a_connect_retried_in_a_tight_loop_is_a_connect_storm_every_time() -> None:
    results = run_five_times(ConnectRetryTightLoop, "syn-refused", runs=3)
    assert [r.violations for r in results] == [("connect-storm",)] * 3
    for result in results:
        assert result.check is not None and result.strike is not None
        (storm,) = result.check.of_kind("connect-storm")
        rate = re.match(
            r"workers 0, 1, 2, 3: (\d+) connect attempts per worker per second", storm.detail
        )
        assert rate and int(rate.group(1)) > 40, storm.detail
        # Counted by the kernel: every attempt met the rule, far more than the workers' ops.
        assert result.strike.connects is not None and result.strike.connects > 4 * 40


@requires_net_admin
def test_a_connect_retried_with_backoff_is_no_storm() -> None:
    result = run_once(ConnectRetryWithBackoff, "syn-refused")
    assert result.violations == ()
    assert result.strike is not None and result.strike.struck is True


def test_a_session_set_up_after_connect_and_lost_on_reconnect_is_drift() -> None:
    results = [run_once(SessionSetAfterConnect, "kill-connection")]
    assert [r.violations for r in results] == [("drift",)]
    lost = {
        "isolation",
        "sql_mode",
        "time_zone",
        "collation_connection",
        "init_command_variable",
        "holds_named_lock",
    }
    for result in results:
        assert result.check is not None
        named = {
            (int(m.group(1)), m.group(2))
            for v in result.check.of_kind("drift")
            if (m := re.match(r"worker (\d+): (\w+) was .* after setup, then ", v.detail))
        }
        # Every worker's reconnect lost every field the SET had set, and each is named.
        assert named == {(w, field) for w in range(4) for field in lost}
        assert len(result.check.of_kind("drift")) == len(named)


def test_session_objects_lost_on_a_ping_reconnect_are_drift_and_made_again_are_not() -> None:
    # init_command's state survives ping(reconnect=True); the temporary table and the prepared
    # statement the code made itself do not, and only a strategy that makes them again keeps them.
    lost, kept = (
        run_once(ObjectsLostOnPingReconnect, "kill-connection"),
        run_once(ObjectsKeptOnReconnect, "kill-connection"),
    )
    assert (lost.violations, kept.violations) == (("drift",), ())
    assert lost.check is not None
    drifted = {re.sub(r" in .*", "", v.detail) for v in lost.check.of_kind("drift")}
    assert drifted == {
        f"worker {w}: {field} was 'present' after setup, then 'absent'"
        for w in range(4)
        for field in ("prepared_statement", "temporary_table")
    }
