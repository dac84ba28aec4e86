"""Recovery: after the heal, every worker succeeds within the deadline (``not-recovered``).

Recovery is judged per worker, as a threaded server experiences it: one thread that recovered
says nothing about a thread whose connection is still broken. Every worker with an operation
invoked after the heal must have an ``ok`` one completed within the deadline; each worker that
has not gets its own violation, naming the attempts that prove it.

Times to the completion of a first ``ok`` operation invoked after the heal:
``recovery_seconds`` from the heal to the first worker's, ``slowest_recovery_seconds`` from the
heal to the last worker's, ``recovery_from_fault_seconds`` from the fault's start (inject) to
the first worker's.

The time to recover that reports show is measured to :func:`recovered_at` instead: the moment
from which everything worked again, whether that came before the heal (a fault that strikes
once) or after it (an outage). Operations invoked right after the heal often succeed within a
millisecond, which says little; when the last failure happened says more.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from chaos.checker.protocol import CheckContext
from chaos.checker.result import Violation, ViolationKind, sorted_ids
from chaos.workload.history import History, Operation, Phase, Result
from chaos.workload.state import BankState


def _after_heal(history: History) -> list[Operation]:
    heal = history.meta.heal_time
    if heal is None:
        return []
    return [op for op in history.operations if op.invoke >= heal]


def _by_worker(operations: Iterable[Operation]) -> dict[int, list[Operation]]:
    workers: dict[int, list[Operation]] = {}
    for op in operations:
        workers.setdefault(op.worker, []).append(op)
    return dict(sorted(workers.items()))


def _first_success(operations: Iterable[Operation]) -> float | None:
    completions = [op.complete for op in operations if op.result is Result.OK]
    return min(completions) if completions else None


def worker_recovery_seconds(history: History) -> dict[int, float | None]:
    """Per worker that took part after the heal: heal -> its first success (None: never)."""
    heal = history.meta.heal_time
    if heal is None:
        return {}
    result: dict[int, float | None] = {}
    for worker, operations in _by_worker(_after_heal(history)).items():
        first = _first_success(operations)
        result[worker] = None if first is None else first - heal
    return result


def recovery_seconds(history: History) -> float | None:
    """Seconds from heal to the first success after it; None without a heal or a success."""
    heal = history.meta.heal_time
    first = _first_success(_after_heal(history))
    return None if heal is None or first is None else first - heal


def slowest_recovery_seconds(history: History) -> float | None:
    """Seconds from heal to the last worker's first success; None if any worker never did."""
    per_worker = worker_recovery_seconds(history)
    if not per_worker or any(seconds is None for seconds in per_worker.values()):
        return None
    return max(seconds for seconds in per_worker.values() if seconds is not None)


def fault_start(history: History) -> float | None:
    """When the fault was injected; histories saved before that was recorded use the fault
    phase's start (the inject happens right before it)."""
    if history.meta.fault_time is not None:
        return history.meta.fault_time
    starts = [span.start for span in history.meta.phases if span.phase is Phase.FAULT]
    return min(starts) if starts else None


def recovery_from_fault_seconds(history: History) -> float | None:
    """Seconds from the fault's start to the first success after the heal."""
    start, first = fault_start(history), _first_success(_after_heal(history))
    return None if start is None or first is None else first - start


def recovered_at(history: History) -> float | None:
    """When the cell had recovered: the completion of the first ``ok`` operation after the
    last operation that was not ``ok``, counting only operations completed after the inject.

    None when it never recovered: some worker's last operation was not ``ok`` (it ended broken,
    or hung), or nothing completed after the inject. With no failure at all it is the first
    success after the inject.
    """
    start = fault_start(history)
    if start is None:
        return None
    after = [op for op in history.operations if op.complete >= start]
    last_by_worker: dict[int, Operation] = {}
    for op in sorted(after, key=lambda op: op.complete):
        last_by_worker[op.worker] = op
    if not last_by_worker or any(op.result is not Result.OK for op in last_by_worker.values()):
        return None
    bad = [op.complete for op in after if op.result is not Result.OK]
    last_bad = max(bad, default=start)
    return min(op.complete for op in after if op.result is Result.OK and op.complete >= last_bad)


def recovered_after_inject(history: History) -> float | None:
    """Seconds from the fault's start (inject) to :func:`recovered_at`."""
    start, recovered = fault_start(history), recovered_at(history)
    return None if start is None or recovered is None else recovered - start


def recovered_after_heal(history: History) -> float | None:
    """Seconds from the heal to :func:`recovered_at`; 0 when it had recovered before the heal."""
    heal, recovered = history.meta.heal_time, recovered_at(history)
    return None if heal is None or recovered is None else max(0.0, recovered - heal)


@dataclass(frozen=True)
class RecoveryChecker:
    name: ClassVar[str] = "recovery"

    def check(
        self, history: History, state: BankState | None, context: CheckContext
    ) -> list[Violation]:
        return _unrecovered_workers(history, context.recovery_deadline)


def _unrecovered_workers(history: History, recovery_deadline: float) -> list[Violation]:
    heal = history.meta.heal_time
    if heal is None:
        return []
    workers = _by_worker(_after_heal(history))
    if not workers:
        return [
            Violation(
                ViolationKind.NOT_RECOVERED,
                (),
                f"nothing succeeded within {recovery_deadline:g}s of the heal: "
                "no operation was attempted",
            )
        ]
    violations = []
    for worker, operations in workers.items():
        first = _first_success(operations)
        if first is not None and first - heal <= recovery_deadline:
            continue
        # The proof: this worker's attempts invoked within the deadline, none of them ok.
        attempts = [
            op
            for op in operations
            if op.invoke <= heal + recovery_deadline and op.result is not Result.OK
        ]
        tally = ", ".join(
            f"{sum(op.result is result for op in attempts)} {result}"
            for result in (Result.FAIL, Result.UNKNOWN)
        )
        late = f"; first success after {first - heal:.3f}s" if first is not None else ""
        violations.append(
            Violation(
                ViolationKind.NOT_RECOVERED,
                sorted_ids(op.op_id for op in attempts),
                f"worker {worker}: {len(attempts)} attempt(s) after heal ({tally}), "
                f"none ok within {recovery_deadline:g}s{late}",
            )
        )
    return violations
