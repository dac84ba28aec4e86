"""Recovery is judged per worker: one recovered thread does not excuse a broken one.

Histories are written by hand; the final state is a real bank on a disposable server, where
every ``ok`` transfer of the history was really committed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pymysql
import pytest

from chaos.checker import CheckContext, Violation, check, check_record
from chaos.checker.recovery import RecoveryChecker, worker_recovery_seconds
from chaos.servers.local import LocalServer
from chaos.settings import ConnectionSettings
from chaos.workload.bank import create_schema, read_state, transfer_unit
from chaos.workload.database import scratch_database
from chaos.workload.history import (
    CellMeta,
    History,
    Kind,
    Operation,
    Phase,
    PhaseSpan,
    Result,
    load_jsonl,
    save_jsonl,
)

ACCOUNTS, BALANCE = 8, 1000
FAULT, HEAL, DEADLINE = 4.0, 10.0, 3.0


def check_recovery(history: History) -> list[Violation]:
    return RecoveryChecker().check(history, None, CheckContext(DEADLINE))


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with LocalServer(name="recovery-per-worker") as started:
        yield started


@pytest.fixture
def bank(server: LocalServer) -> Iterator[ConnectionSettings]:
    with scratch_database(server.admin_settings, prefix="mchaos_rec_") as settings:
        with pymysql.connect(**settings.pymysql_kwargs()) as conn:
            create_schema(conn, accounts=ACCOUNTS, initial_balance=BALANCE)
        yield settings


def op(worker: int, n: int, result: str, start: float, end: float, **extra: object) -> Operation:
    low, high = 2 * worker + 1, 2 * worker + 2
    return Operation(
        f"w{worker}-{n}",
        worker,
        Kind.TRANSFER,
        Phase.RECOVERY if start >= HEAL else Phase.FAULT,
        start,
        end,
        Result(result),
        from_id=low,
        to_id=high,
        amount=1,
        **extra,  # type: ignore[arg-type]
    )


def commit_oks(settings: ConnectionSettings, history: History) -> None:
    """Apply every ``ok`` transfer for real, so only recovery can be violated."""
    with pymysql.connect(**settings.pymysql_kwargs()) as conn:
        for done in history.operations:
            if done.result is Result.OK:
                assert done.from_id and done.to_id and done.amount
                transfer_unit(done.op_id, done.from_id, done.to_id, done.amount).body(conn)
                conn.commit()


def cell(*operations: Operation, fault_time: float | None = FAULT) -> History:
    meta = CellMeta(
        "hand",
        "written",
        8.0,
        heal_time=HEAL,
        phases=(PhaseSpan(Phase.FAULT, FAULT + 0.5, HEAL), PhaseSpan(Phase.RECOVERY, HEAL, 14)),
        workers=3,
        initial_total=ACCOUNTS * BALANCE,
        recovery_deadline=DEADLINE,
        fault_time=fault_time,
    )
    return History(meta, tuple(sorted(operations, key=lambda o: (o.invoke, o.worker))))


def one_worker_stays_broken() -> History:
    """Workers 0 and 1 recover; worker 2 fails every one of its five attempts after heal."""
    return cell(
        op(0, 1, "ok", 1.0, 1.1),
        op(0, 2, "ok", HEAL + 0.1, HEAL + 0.2),
        op(1, 1, "unknown", HEAL + 0.0, HEAL + 0.1),
        op(1, 2, "ok", HEAL + 0.3, HEAL + 0.9),
        *(op(2, n, "unknown", HEAL + n * 0.4, HEAL + n * 0.4 + 0.01) for n in range(1, 6)),
    )


def test_a_worker_that_never_succeeds_after_the_heal_is_named_with_its_attempts() -> None:
    violations = check_recovery(one_worker_stays_broken())
    assert [(v.kind, v.op_ids) for v in violations] == [
        ("not-recovered", ("w2-1", "w2-2", "w2-3", "w2-4", "w2-5"))
    ]
    assert violations[0].detail.startswith("worker 2: 5 attempt(s) after heal (0 fail, 5 unknown)")


def test_each_broken_worker_gets_its_own_violation() -> None:
    history = cell(
        op(0, 1, "ok", HEAL + 0.1, HEAL + 0.2),
        op(1, 1, "fail", HEAL + 0.1, HEAL + 0.2),
        op(2, 1, "unknown", HEAL + 0.1, HEAL + 0.2),
        op(2, 2, "ok", HEAL + DEADLINE + 0.5, HEAL + DEADLINE + 0.6),
    )
    details = [v.detail for v in check_recovery(history)]
    assert details == [
        "worker 1: 1 attempt(s) after heal (1 fail, 0 unknown), none ok within 3s",
        "worker 2: 1 attempt(s) after heal (0 fail, 1 unknown), none ok within 3s; "
        "first success after 3.600s",
    ]


def test_every_worker_recovering_is_no_violation_and_the_slowest_is_measured(bank) -> None:
    history = cell(
        op(0, 1, "ok", HEAL + 0.1, HEAL + 0.2),
        op(1, 1, "fail", HEAL + 0.0, HEAL + 0.1),
        op(1, 2, "ok", HEAL + 1.0, HEAL + 1.5),
    )
    commit_oks(bank, history)
    result = check(
        history, read_state(bank), initial_total=ACCOUNTS * BALANCE, recovery_deadline=DEADLINE
    )
    assert result.violations == ()
    assert worker_recovery_seconds(history) == {0: pytest.approx(0.2), 1: pytest.approx(1.5)}
    assert result.recovery_seconds == pytest.approx(0.2)
    assert result.slowest_recovery_seconds == pytest.approx(1.5)
    assert result.recovery_from_fault_seconds == pytest.approx(HEAL - FAULT + 0.2)


def test_one_broken_worker_leaves_no_slowest_recovery_time_but_keeps_the_first(bank) -> None:
    history = one_worker_stays_broken()
    commit_oks(bank, history)
    result = check(
        history, read_state(bank), initial_total=ACCOUNTS * BALANCE, recovery_deadline=DEADLINE
    )
    assert [str(v.kind) for v in result.violations] == ["not-recovered"]
    assert result.recovery_seconds == pytest.approx(0.2)
    assert result.slowest_recovery_seconds is None


def test_a_history_saved_before_fault_times_were_recorded_still_loads_and_checks(
    bank, tmp_path: Path
) -> None:
    history = one_worker_stays_broken()
    commit_oks(bank, history)
    path = tmp_path / "old.jsonl"
    save_jsonl(path, history, read_state(bank))
    lines = path.read_text().splitlines()
    meta = json.loads(lines[0])
    del meta["fault_time"]  # what format-1 files written before this field look like
    path.write_text("\n".join([json.dumps(meta), *lines[1:]]) + "\n")

    record = load_jsonl(path)
    assert record.history.meta.fault_time is None
    result = check_record(record)
    assert [v.detail.split(":")[0] for v in result.violations] == ["worker 2"]
    # Without the inject time, the fault phase's start stands in for it.
    assert result.recovery_from_fault_seconds == pytest.approx(HEAL - (FAULT + 0.5) + 0.2)
