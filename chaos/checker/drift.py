"""No drift: each worker's session state stays what its client set up (``drift``).

Every read records the session state it saw (autocommit, isolation level, sql_mode, time zone,
character set and collation, the user variable and the named lock the run's ``init_command``
sets up; for a strategy that keeps session objects, whether its temporary table and prepared
statement are there). A worker's baseline is its first reading of the warm-up, before any
fault: what its client established. A later reading that differs means a reconnect handed the
worker a session without that setup: queries still work, but under other rules (another
isolation level, dates in another zone, a lock the code believes it holds). One violation per
worker and field, naming the reads that saw the drifted value.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import ClassVar

from chaos.checker.protocol import CheckContext
from chaos.checker.result import Violation, ViolationKind, sorted_ids
from chaos.workload.history import History, Operation, Phase, Result
from chaos.workload.state import BankState


@dataclass(frozen=True)
class DriftChecker:
    name: ClassVar[str] = "drift"

    def check(
        self, history: History, state: BankState | None, context: CheckContext
    ) -> list[Violation]:
        baselines: dict[int, dict[str, str | None]] = {}
        drifted: dict[tuple[int, str, str | None], list[str]] = defaultdict(list)
        for op in _readings(history):
            assert op.session is not None
            baseline = baselines.get(op.worker)
            if baseline is None:
                if op.phase is Phase.WARMUP:
                    baselines[op.worker] = op.session
                continue
            for field, expected in baseline.items():
                seen = op.session.get(field)
                if seen != expected:
                    drifted[(op.worker, field, seen)].append(op.op_id)
        return [
            Violation(
                ViolationKind.DRIFT,
                sorted_ids(op_ids),
                f"worker {worker}: {field} was {baselines[worker][field]!r} after setup, "
                f"then {seen!r} in {', '.join(sorted_ids(op_ids))}",
            )
            for (worker, field, seen), op_ids in sorted(drifted.items(), key=_order)
        ]


def _readings(history: History) -> list[Operation]:
    """The ``ok`` operations that read the session state, in invoke order."""
    return [op for op in history.operations if op.result is Result.OK and op.session is not None]


def _order(item: tuple[tuple[int, str, str | None], list[str]]) -> tuple[int, str, str]:
    (worker, field, seen), _ = item
    return worker, field, str(seen)
