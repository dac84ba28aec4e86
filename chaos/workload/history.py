"""The history of a cell: every operation's invoke, completion and result, Jepsen-style.

An operation is ``ok`` (it happened), ``fail`` (it certainly did not) or ``unknown`` (it may
have: a lost connection, a lost COMMIT reply, a hang). Times are monotonic seconds since the
cell's start. A history, its cell's metadata and (optionally) the final bank state are saved as
JSON lines, so a run can be re-checked offline::

    {"type": "meta", "format": 1, "strategy": ..., "fault": ..., "heal_time": ..., ...}
    {"type": "op", "op_id": "w0-1", "worker": 0, "kind": "transfer", ...}
    {"type": "state", "accounts": [...], "ledger": [...]}

An ``ok`` read also records the session state it read (``session``); older histories load
with ``None`` there. The meta record also holds what the fault said it did on inject and on heal
(:class:`~chaos.fault_effect.FaultEffect`); histories saved before that was recorded load with
``None`` there.

A list-append cell (``meta.workload == "list-append"``) records ``txn`` operations: each holds
its micro-ops (``["append", key, value]`` / ``["r", key, [values...]]``) and its final record is
``{"type": "lists", "lists": {...}}``. Fields added since format 1 have defaults, so older files
load; a field this version does not know is refused (a newer file, or a corrupt one).
"""

from __future__ import annotations

import enum
import json
import re
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from chaos.fault_effect import FaultEffect
from chaos.workload.list_state import ListState, MicroOp, micro_ops
from chaos.workload.state import BankState

FORMAT = 1

#: ``Operation.error`` of an operation the driver stopped waiting for.
HANG = "hang"


class Kind(enum.StrEnum):
    TRANSFER = "transfer"
    READ = "read"
    #: A write request to a user's app (``check-app --request/--load``), judged from HTTP.
    WRITE = "write"
    #: A list-append transaction (:mod:`chaos.workload.list_append`): its micro-ops in ``txn``.
    TXN = "txn"


class Phase(enum.StrEnum):
    WARMUP = "warmup"
    FAULT = "fault"
    RECOVERY = "recovery"


class Result(enum.StrEnum):
    OK = "ok"
    FAIL = "fail"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Operation:
    """One completed (or abandoned) operation."""

    op_id: str
    worker: int
    kind: Kind
    phase: Phase
    invoke: float
    complete: float
    result: Result
    error: str | None = None
    error_kind: str | None = None
    from_id: int | None = None
    to_id: int | None = None
    amount: int | None = None
    #: Sum of the balances an ``ok`` read saw (Jepsen's bank check on reads).
    read_total: int | None = None
    #: The session state an ``ok`` read saw, by field (:data:`chaos.session_setup.SESSION_FIELDS`);
    #: None when not read (transfers, app mode, histories saved before it was recorded).
    session: dict[str, str | None] | None = None
    #: A list-append transaction's micro-ops: as invoked, with each read's values once ``ok``.
    txn: tuple[MicroOp, ...] | None = None
    #: How many transfers (ledger rows) an ``ok`` read saw; None when not read (histories saved
    #: before it was recorded, app mode).
    moves_seen: int | None = None

    def __post_init__(self) -> None:
        # Coerce so values loaded from JSON compare and serialise like constructed ones.
        object.__setattr__(self, "kind", Kind(self.kind))
        object.__setattr__(self, "phase", Phase(self.phase))
        object.__setattr__(self, "result", Result(self.result))
        if self.txn is not None:
            object.__setattr__(self, "txn", micro_ops(self.txn))

    @property
    def hung(self) -> bool:
        return self.error == HANG

    @property
    def duration(self) -> float:
        return self.complete - self.invoke

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(kind=str(self.kind), phase=str(self.phase), result=str(self.result))
        if self.txn is None:
            del data["txn"]  # a bank operation's record stays as it was
        else:
            data["txn"] = [[mop[0], mop[1], _plain(mop[2])] for mop in self.txn]
        return data


@dataclass(frozen=True)
class PhaseSpan:
    """When one phase ran, in cell seconds."""

    phase: Phase
    start: float
    end: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "phase", Phase(self.phase))


@dataclass(frozen=True)
class CellMeta:
    """What a checker needs besides the operations; ``None`` where the cell had no such thing."""

    strategy: str
    fault: str
    hard_deadline: float
    heal_time: float | None = None
    phases: tuple[PhaseSpan, ...] = ()
    workers: int = 0
    initial_total: int | None = None
    recovery_deadline: float | None = None
    #: When the fault was injected (histories saved before it was recorded lack it).
    fault_time: float | None = None
    #: What the fault's inject() and heal() said they did (None: not recorded).
    inject_effect: FaultEffect | None = None
    heal_effect: FaultEffect | None = None
    #: The fault strikes only between transactions (connections at rest): a client that checks
    #: its connection before use loses no operation to it.
    between_transactions: bool = False
    #: Which workload ran: ``bank`` (histories saved before this was recorded) or ``list-append``.
    workload: str = "bank"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["phases"] = [
            {"phase": str(span.phase), "start": span.start, "end": span.end} for span in self.phases
        ]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CellMeta:
        phases = tuple(PhaseSpan(**span) for span in data.get("phases", ()))
        effects = {
            key: None if data.get(key) is None else FaultEffect.from_dict(data[key])
            for key in ("inject_effect", "heal_effect")
        }
        return cls(**{**data, "phases": phases, **effects})


@dataclass(frozen=True)
class History:
    """A cell's metadata and its operations, ordered by invoke time."""

    meta: CellMeta
    operations: tuple[Operation, ...] = field(default=())

    def transfers(self) -> tuple[Operation, ...]:
        return tuple(op for op in self.operations if op.kind is Kind.TRANSFER)

    def transactions(self) -> tuple[Operation, ...]:
        """The list-append transactions (``Kind.TXN``)."""
        return tuple(op for op in self.operations if op.kind is Kind.TXN)

    def in_phase(self, phase: Phase) -> tuple[Operation, ...]:
        return tuple(op for op in self.operations if op.phase is phase)

    def with_meta(self, **changes: Any) -> History:
        return replace(self, meta=replace(self.meta, **changes))


@dataclass(frozen=True)
class RunRecord:
    """What one JSON-lines file holds: a history and, once read, the final state."""

    history: History
    state: BankState | None = None
    #: A list-append cell's final lists (None for a bank cell).
    lists: ListState | None = None


# Characters a file name keeps as they are; anything else (the ':' of module:factory, which
# Windows and many archive tools refuse, a '/') becomes '_'.
_UNSAFE_IN_FILE_NAME = re.compile(r"[^A-Za-z0-9._-]")


def history_file_name(strategy: str, fault: str, prefix: str = "") -> str:
    """``[prefix__]strategy__fault.jsonl``, safe as a file name on any system."""
    parts = [prefix] if prefix else []
    parts += [strategy, fault]
    return "__".join(_UNSAFE_IN_FILE_NAME.sub("_", part) for part in parts) + ".jsonl"


def save_jsonl(
    path: str | Path, history: History, state: BankState | ListState | None = None
) -> None:
    """Write the history (and the final state, when known: the bank's or the lists) as JSON
    lines."""
    lines = [{"type": "meta", "format": FORMAT, **history.meta.to_dict()}]
    lines += [{"type": "op", **op.to_dict()} for op in history.operations]
    if isinstance(state, ListState):
        lines.append({"type": "lists", **state.to_dict()})
    elif state is not None:
        lines.append({"type": "state", **state.to_dict()})
    Path(path).write_text("".join(json.dumps(line, sort_keys=True) + "\n" for line in lines))


def load_jsonl(path: str | Path) -> RunRecord:
    """Read a file written by :func:`save_jsonl`."""
    meta: CellMeta | None = None
    operations: list[Operation] = []
    state: BankState | None = None
    lists: ListState | None = None
    for number, text in enumerate(Path(path).read_text().splitlines(), start=1):
        if not text.strip():
            continue
        data = json.loads(text)
        kind = data.pop("type", None)
        if kind == "meta":
            version = data.pop("format", None)
            if version != FORMAT:
                raise ValueError(f"{path}:{number}: history format {version!r}, not {FORMAT}")
            _refuse_unknown(CellMeta, data, path, number)
            meta = CellMeta.from_dict(data)
        elif kind == "op":
            _refuse_unknown(Operation, data, path, number)
            operations.append(Operation(**data))
        elif kind == "state":
            state = BankState.from_dict(data)
        elif kind == "lists":
            lists = ListState.from_dict(data)
        else:
            raise ValueError(f"{path}:{number}: unknown record type {kind!r}")
    if meta is None:
        raise ValueError(f"{path}: no meta record")
    return RunRecord(History(meta, tuple(operations)), state, lists)


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _refuse_unknown(cls: type, data: dict[str, Any], path: str | Path, number: int) -> None:
    """A field the dataclass lacks is refused in one line (missing ones take their defaults)."""
    unknown = sorted(set(data) - {f.name for f in fields(cls)})
    if unknown:
        raise ValueError(f"{path}:{number}: unknown {cls.__name__} field(s) {', '.join(unknown)}")
