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

from .broken_strategies import (
    AutocommitPersistentDB,
    LostCommitAssumedApplied,
    NeverReplacedPerThread,
    NoRollbackAfterError,
)

RUNS = 5


def run_five_times(factory: StrategyFactory, fault: str) -> list[CellResult]:
    run = run_matrix(
        [(f"run-{n}", factory) for n in range(1, RUNS + 1)], [FAULTS.get(fault)], jobs=RUNS
    )
    results = sorted(run.results, key=lambda r: r.strategy)
    assert [(r.strategy, r.error, r.skipped) for r in results] == [
        (f"run-{n}", None, None) for n in range(1, RUNS + 1)
    ]
    return results


def assert_caught_every_time(results: list[CellResult], kind: str) -> None:
    verdicts = [r.violations for r in results]
    assert all(kind in verdict for verdict in verdicts), verdicts
    assert len(set(verdicts)) == 1, f"the verdict changed between runs: {verdicts}"


def test_a_lost_commit_assumed_applied_is_a_lost_ack_every_time() -> None:
    results = run_five_times(LostCommitAssumedApplied, "lost-commit")
    assert_caught_every_time(results, "lost-ack")


def test_a_per_thread_connection_never_replaced_is_not_recovered_per_worker_every_time() -> None:
    for fault in ("reset-peer", "kill-connection"):
        results = run_five_times(NeverReplacedPerThread, fault)
        assert [r.violations for r in results] == [("not-recovered",)] * RUNS, fault
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
