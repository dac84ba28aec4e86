"""No connect storm: while new connections fail, no worker retries its connect without a pause
(``connect-storm``).

A client that reconnects again the instant a connect failed makes thousands of attempts a
second against a refused port, and in production the same loop in every process of a fleet is
what keeps a recovering server down. The attempts are counted by the kernel, never by the
strategy: a fault that strikes new connections notes every one that met its rule, per tenth of
a second from its inject (:attr:`~chaos.fault_effect.FaultEffect.connects_per_tenth`). The
check takes the busiest second of the fault (ten tenths in a row) and shares its attempts
among the workers that had an operation in flight then (every worker, when none had): above
:data:`CONNECTS_PER_WORKER_SECOND` it is a storm. A few quick retries stay far below it;
a retry every 25 ms or slower never reaches it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from chaos.checker.protocol import CheckContext
from chaos.checker.result import Violation, ViolationKind, sorted_ids
from chaos.workload.history import History
from chaos.workload.state import BankState

#: Connect attempts per worker in one second above which a client is storming.
CONNECTS_PER_WORKER_SECOND = 40
_TENTHS_PER_SECOND = 10


def busiest_second(per_tenth: tuple[int, ...]) -> tuple[int, int]:
    """(first tenth, attempts) of the one-second window holding the most attempts."""
    best_start, best = 0, sum(per_tenth[:_TENTHS_PER_SECOND])
    for start in range(1, max(1, len(per_tenth) - _TENTHS_PER_SECOND + 1)):
        count = sum(per_tenth[start : start + _TENTHS_PER_SECOND])
        if count > best:
            best_start, best = start, count
    return best_start, best


@dataclass(frozen=True)
class ConnectStormChecker:
    name: ClassVar[str] = "connect-storm"
    threshold: int = CONNECTS_PER_WORKER_SECOND

    def check(
        self, history: History, state: BankState | None, context: CheckContext
    ) -> list[Violation]:
        meta = history.meta
        effects = (meta.inject_effect, meta.heal_effect)
        per_tenth = next((e.connects_per_tenth for e in effects if e and e.connects_per_tenth), ())
        if not per_tenth:
            return []
        first, attempts = busiest_second(per_tenth)
        start = (meta.fault_time or 0.0) + first / _TENTHS_PER_SECOND
        end = start + 1.0
        in_flight = [op for op in history.operations if op.invoke < end and op.complete > start]
        workers = sorted({op.worker for op in in_flight}) or list(range(max(1, meta.workers)))
        rate = attempts / len(workers)
        if rate <= self.threshold:
            return []
        named = ", ".join(str(w) for w in workers)
        return [
            Violation(
                ViolationKind.CONNECT_STORM,
                sorted_ids(op.op_id for op in in_flight),
                f"worker{'s' if len(workers) > 1 else ''} {named}: {rate:.0f} connect attempts "
                f"per worker per second (threshold {self.threshold}): {attempts} met the "
                f"fault's rule in the second from {start:.1f} s, {len(workers)} worker"
                f"{'s' if len(workers) > 1 else ''} in flight",
            )
        ]
