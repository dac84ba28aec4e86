"""Histories written by hand and bank states produced with real SQL, for the checker tests."""

from __future__ import annotations

from chaos.checker import CheckResult, check
from chaos.faults.base import Checkpoint
from chaos.settings import ConnectionSettings
from chaos.workload.bank import read_state, transfer_unit
from chaos.workload.history import CellMeta, History, Kind, Operation, Phase, Result

from .conftest import INITIAL_TOTAL, connect

HARD_DEADLINE = 5.0


def transfer(
    op_id: str,
    result: Result | str,
    *,
    invoke: float = 1.0,
    complete: float | None = None,
    phase: Phase | str = Phase.FAULT,
    error: str | None = None,
) -> Operation:
    return Operation(
        op_id,
        0,
        Kind.TRANSFER,
        Phase(phase),
        invoke,
        invoke + 0.01 if complete is None else complete,
        Result(result),
        error=error,
        from_id=1,
        to_id=2,
        amount=5,
    )


def read(op_id: str, result: Result | str, total: int | None, *, invoke: float = 1.0) -> Operation:
    return Operation(
        op_id, 0, Kind.READ, Phase.WARMUP, invoke, invoke + 0.01, Result(result), read_total=total
    )


def history(*operations: Operation, heal_time: float | None = None) -> History:
    return History(CellMeta("hand", "written", HARD_DEADLINE, heal_time=heal_time), operations)


def commit_transfer(settings: ConnectionSettings, op_id: str, times: int = 1) -> None:
    """Apply transfer ``op_id`` (1 -> 2, amount 5) and commit, ``times`` times over."""
    for _ in range(times):
        with connect(settings) as conn:
            transfer_unit(op_id, 1, 2, 5).body(conn)
            conn.commit()


class _Cut(Exception):
    pass


def commit_debit_only(settings: ConnectionSettings, op_id: str) -> None:
    """The half-applied transfer: the debit runs, the link dies, and the debit gets committed."""

    def cut(point: Checkpoint, _op_id: str) -> None:
        if point is Checkpoint.BETWEEN_STATEMENTS:
            raise _Cut

    with connect(settings) as conn:
        try:
            transfer_unit(op_id, 1, 2, 5, cut).body(conn)
        except _Cut:
            conn.commit()  # what a broken retry-each-statement strategy ends up doing
        else:
            raise AssertionError("the checkpoint did not cut the transfer")


def execute(settings: ConnectionSettings, statement: str) -> None:
    with connect(settings) as conn, conn.cursor() as cursor:
        cursor.execute(statement)
        conn.commit()


def judge(
    settings: ConnectionSettings, judged: History, recovery_deadline: float = 5.0
) -> CheckResult:
    return check(
        judged,
        read_state(settings),
        initial_total=INITIAL_TOTAL,
        recovery_deadline=recovery_deadline,
    )


def found(result: CheckResult) -> list[tuple[str, tuple[str, ...]]]:
    return [(str(v.kind), v.op_ids) for v in result.violations]
