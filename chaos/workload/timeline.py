"""A compact copy of a history for drawing: who ran what, when, and how it ended.

Reports draw one timeline per cell (lanes of workers, operations as bars from invoke to
completion, the fault's window shaded). The full history holds error messages and transfer
details a drawing does not need; a timeline keeps what it needs, with times in whole
milliseconds, so 228 cells of 30 to 60 operations fit in a report of a few hundred kilobytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chaos.fault_effect import FaultEffect
from chaos.workload.history import HANG, History, Kind, Phase, Result

#: The order of an operation's fields in :meth:`Timeline.to_dict`.
COLUMNS = ("op_id", "worker", "invoke_ms", "complete_ms", "result", "kind", "error_kind")


@dataclass(frozen=True)
class TimelineOperation:
    op_id: str
    worker: int
    invoke_ms: int
    complete_ms: int
    result: Result
    kind: Kind
    #: The taxonomy's name for the error (``CR_SERVER_LOST``), or ``hang``; None when ok.
    error_kind: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "result", Result(self.result))
        object.__setattr__(self, "kind", Kind(self.kind))

    @property
    def duration_ms(self) -> int:
        return self.complete_ms - self.invoke_ms


@dataclass(frozen=True)
class Timeline:
    workers: int
    #: When the fault was injected and healed, in milliseconds since the cell started.
    inject_ms: int | None
    heal_ms: int | None
    operations: tuple[TimelineOperation, ...] = ()
    #: What the fault said it did on inject and on heal (None: not recorded).
    inject_effect: FaultEffect | None = None
    heal_effect: FaultEffect | None = None

    @property
    def end_ms(self) -> int:
        times = [op.complete_ms for op in self.operations]
        times += [t for t in (self.inject_ms, self.heal_ms) if t is not None]
        return max(times, default=0)

    @classmethod
    def from_history(cls, history: History) -> Timeline:
        meta = history.meta
        inject = meta.fault_time
        if inject is None:  # histories saved before inject times were recorded
            starts = [span.start for span in meta.phases if span.phase is Phase.FAULT]
            inject = min(starts) if starts else None
        operations = tuple(
            TimelineOperation(
                op.op_id,
                op.worker,
                _ms(op.invoke),
                _ms(op.complete),
                op.result,
                op.kind,
                HANG if op.hung else op.error_kind,
            )
            for op in history.operations
        )
        workers = max([meta.workers, *(op.worker + 1 for op in operations)])
        return cls(
            workers,
            _optional_ms(inject),
            _optional_ms(meta.heal_time),
            operations,
            meta.inject_effect,
            meta.heal_effect,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "workers": self.workers,
            "inject_ms": self.inject_ms,
            "heal_ms": self.heal_ms,
            "inject_effect": _effect_dict(self.inject_effect),
            "heal_effect": _effect_dict(self.heal_effect),
            "columns": list(COLUMNS),
            "operations": [
                [
                    op.op_id,
                    op.worker,
                    op.invoke_ms,
                    op.complete_ms,
                    str(op.result),
                    str(op.kind),
                    op.error_kind,
                ]
                for op in self.operations
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Timeline:
        """Read :meth:`to_dict`'s output; raises ``ValueError``/``KeyError``/``TypeError`` on
        anything else (the report loader turns those into one line)."""
        columns = tuple(data["columns"])
        if columns != COLUMNS:
            raise ValueError(f"timeline columns {list(columns)}, expected {list(COLUMNS)}")
        operations = []
        for row in data["operations"]:
            op_id, worker, invoke, complete, result, kind, error_kind = row
            operations.append(
                TimelineOperation(
                    str(op_id), int(worker), int(invoke), int(complete), result, kind, error_kind
                )
            )
        return cls(
            int(data["workers"]),
            _optional_int(data["inject_ms"]),
            _optional_int(data["heal_ms"]),
            tuple(operations),
            # Reports written before effects were recorded have neither key.
            _effect(data.get("inject_effect")),
            _effect(data.get("heal_effect")),
        )


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


def _optional_ms(seconds: float | None) -> int | None:
    return None if seconds is None else _ms(seconds)


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _effect_dict(effect: FaultEffect | None) -> dict[str, Any] | None:
    return None if effect is None else effect.to_dict()


def _effect(data: Any) -> FaultEffect | None:
    return None if data is None else FaultEffect.from_dict(data)
