"""Stale reads: a read must see every transfer acknowledged before it began."""

from __future__ import annotations

from chaos.checker import BANK_CHECKS, CheckContext, ViolationKind
from chaos.checker.stale_read import StaleReadChecker
from chaos.workload.history import Kind, Operation, Phase, Result

from .builders import history, transfer
from .conftest import INITIAL_TOTAL

CONTEXT = CheckContext(5.0, initial_total=INITIAL_TOTAL)


def read(op_id: str, moves_seen: int | None, *, invoke: float, worker: int = 3) -> Operation:
    return Operation(
        op_id,
        worker,
        Kind.READ,
        Phase.FAULT,
        invoke,
        invoke + 0.01,
        Result.OK,
        read_total=INITIAL_TOTAL,
        moves_seen=moves_seen,
    )


def stale(*operations: Operation) -> list[tuple[tuple[str, ...], str]]:
    found = StaleReadChecker().check(history(*operations), None, CONTEXT)
    return [(v.op_ids, v.detail) for v in found]


def test_a_read_that_missed_a_transfer_acknowledged_before_it_began_is_stale() -> None:
    found = stale(
        transfer("w0-1", Result.OK, invoke=1.0, complete=1.1),
        transfer("w1-1", Result.OK, invoke=1.0, complete=1.2),
        read("w3-1", 1, invoke=1.5),
    )
    assert found == [
        (
            ("w3-1", "w1-1"),
            "w3-1 saw 1 transfers, 2 had been acknowledged before it began "
            "(the last of them, w1-1, 0.300 s before)",
        )
    ]


def test_a_read_that_saw_every_acknowledged_transfer_is_not_stale() -> None:
    assert (
        stale(
            transfer("w0-1", Result.OK, invoke=1.0, complete=1.1),
            transfer("w1-1", Result.OK, invoke=1.0, complete=1.2),
            read("w3-1", 2, invoke=1.5),
        )
        == []
    )


def test_transfers_acknowledged_after_the_read_began_or_not_ok_do_not_count() -> None:
    assert (
        stale(
            transfer("w0-1", Result.OK, invoke=1.0, complete=1.1),
            # Concurrent with the read: it may or may not have seen it.
            transfer("w1-1", Result.OK, invoke=1.4, complete=1.6),
            # Unknown and failed transfers may not have been applied: never counted as missed.
            transfer("w2-1", Result.UNKNOWN, invoke=1.0, complete=1.2),
            transfer("w2-2", Result.FAIL, invoke=1.2, complete=1.3),
            read("w3-1", 1, invoke=1.5),
        )
        == []
    )


def test_a_read_that_did_not_count_its_transfers_is_not_judged() -> None:
    # Histories saved before reads counted the ledger, and app mode, have no count.
    assert (
        stale(transfer("w0-1", Result.OK, invoke=1.0, complete=1.1), read("w3-1", None, invoke=2))
        == []
    )


def test_the_bank_checks_name_a_stale_read_by_its_own_kind() -> None:
    found = BANK_CHECKS.check(
        history(transfer("w0-1", Result.OK, invoke=1.0, complete=1.1), read("w3-1", 0, invoke=1.5)),
        None,
        CONTEXT,
    )
    assert ViolationKind.STALE_READ in {v.kind for v in found}
    assert ViolationKind.STALE_READ.short == "stale"
