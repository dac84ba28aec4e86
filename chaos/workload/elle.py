"""A history as Jepsen's Elle reads it: EDN operations, one map per line (``history.edn``).

Each operation becomes an ``:invoke`` and a completion (``:ok``, ``:fail``, or ``:info`` for
``unknown``), as maps with ``:index :time :type :process :f :value``; ``:time`` is nanoseconds
since the cell's start. A process never runs two operations at once, and after an ``:info`` its
worker continues as a new process, as Jepsen does (the old one may still be in flight). The
final lists, read after healing, close the history as one ``:ok`` read-everything transaction, so
Elle sees what finally landed (the lost or doubled appends).

- A list-append cell's transactions are ``:f :txn`` of ``[:append k v]`` / ``[:r k [...]]``.
- A bank cell maps each transfer to the append its operation makes to both accounts' ``moves``
  log (``[[:append from n] [:append to n]]``, ``n`` the transfer's number), closed by the final
  ``moves`` read. That lets Elle see a transfer applied twice or a failed one applied. The bank's
  balance reads are left out: a balance is not a list (nor a unique write, as Elle's rw-register
  needs), so those reads say nothing Elle can judge; the bank's own checker judges them.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from chaos.workload.history import History, Kind, Operation, Result
from chaos.workload.list_state import APPEND, READ, ListState, MicroOp
from chaos.workload.state import BankState

NANOSECONDS = 1_000_000_000

_COMPLETION = {Result.OK: "ok", Result.FAIL: "fail", Result.UNKNOWN: "info"}


class Keyword(str):
    """An EDN keyword (``:name``)."""


def edn(value: Any) -> str:
    """``value`` in EDN: None, bools, ints, floats, strings, keywords, lists/tuples, dicts."""
    if value is None:
        return "nil"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Keyword):
        return f":{value}"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'"{escaped}"'
    if isinstance(value, dict):
        return "{" + ", ".join(f"{edn(k)} {edn(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + " ".join(edn(item) for item in value) + "]"
    raise TypeError(f"no EDN form for {type(value).__name__}")


def _mops(txn: Iterable[MicroOp], *, with_reads: bool) -> list[list[Any]]:
    out: list[list[Any]] = []
    for function, key, value in txn:
        if function == READ:
            out.append(
                [Keyword(READ), key, list(value) if with_reads and value is not None else None]
            )
        else:
            out.append([Keyword(APPEND), key, value])
    return out


def _bank_txn(op: Operation, number: int) -> list[MicroOp]:
    return [(APPEND, op.from_id or 0, number), (APPEND, op.to_id or 0, number)]


def elle_operations(history: History, final: BankState | ListState | None) -> list[dict[Any, Any]]:
    """The history as Elle's operations, in time order with ``:index`` 0, 1, 2..."""
    bank = history.meta.workload == "bank"
    numbers = {op.op_id: n for n, op in enumerate(history.transfers(), start=1)}
    workers = max(
        history.meta.workers, 1 + max((op.worker for op in history.operations), default=0)
    )
    crashes: dict[int, int] = {}
    events: list[tuple[float, int, dict[Any, Any]]] = []
    for order, op in enumerate(history.operations):
        if bank and op.kind is Kind.TRANSFER:
            invoked = completed = _bank_txn(op, numbers[op.op_id])
        elif op.kind is Kind.TXN and op.txn is not None:
            invoked = completed = list(op.txn)
        else:
            continue  # a balance read: nothing Elle can judge (see the module's docstring)
        process = op.worker + workers * crashes.get(op.worker, 0)
        kind = _COMPLETION[op.result]
        if op.result is Result.UNKNOWN:
            crashes[op.worker] = crashes.get(op.worker, 0) + 1
        base = {Keyword("process"): process, Keyword("f"): Keyword("txn")}
        events.append(
            (
                op.invoke,
                2 * order,
                {
                    Keyword("type"): Keyword("invoke"),
                    **base,
                    Keyword("value"): _mops(invoked, with_reads=False),
                    Keyword("time"): _ns(op.invoke),
                },
            )
        )
        events.append(
            (
                op.complete,
                2 * order + 1,
                {
                    Keyword("type"): Keyword(kind),
                    **base,
                    Keyword("value"): _mops(completed, with_reads=op.result is Result.OK),
                    Keyword("time"): _ns(op.complete),
                },
            )
        )
    events.sort(key=lambda event: (event[0], event[1]))
    end = max((event[0] for event in events), default=0.0)
    final_read = _final_read(final, numbers)
    if final_read:
        process = workers * (1 + max(crashes.values(), default=0))
        base = {Keyword("process"): process, Keyword("f"): Keyword("txn")}
        unread = [[Keyword(READ), key, None] for _, key, _ in final_read]
        events.append(
            (
                end,
                0,
                {
                    Keyword("type"): Keyword("invoke"),
                    **base,
                    Keyword("value"): unread,
                    Keyword("time"): _ns(end) + 1,
                },
            )
        )
        events.append(
            (
                end,
                1,
                {
                    Keyword("type"): Keyword("ok"),
                    **base,
                    Keyword("value"): _mops(final_read, with_reads=True),
                    Keyword("time"): _ns(end) + 2,
                },
            )
        )
    return [{Keyword("index"): index, **event} for index, (_, _, event) in enumerate(events)]


def _final_read(final: BankState | ListState | None, numbers: dict[str, int]) -> list[MicroOp]:
    if isinstance(final, ListState):
        return [(READ, key, values) for key, values in sorted(final.lists.items())]
    if isinstance(final, BankState):
        # An op id the history does not know (it cannot happen) keeps a value no append wrote
        # rather than vanishing here: Elle refuses such a history (measured: an assertion in
        # its dirty-update check, elle-cli exits 255), so it is never read as valid.
        return [
            (READ, account.id, tuple(numbers.get(m.op_id, -1) for m in account.parsed().moves))
            for account in final.accounts
        ]
    return []


def _ns(seconds: float) -> int:
    return round(seconds * NANOSECONDS)


def to_edn(history: History, final: BankState | ListState | None) -> str:
    """The text of an Elle history file: one operation map per line."""
    return "".join(edn(op) + "\n" for op in elle_operations(history, final))


def save_edn(path: str | Path, history: History, final: BankState | ListState | None) -> None:
    Path(path).write_text(to_edn(history, final))


def edn_file_name(jsonl_name: str) -> str:
    """``strategy__fault.edn`` beside ``strategy__fault.jsonl``."""
    return jsonl_name.removesuffix(".jsonl") + ".edn"


def export_history_file(history_file: str | Path, directory: str | Path) -> Path:
    """Write the Elle history of a saved cell (``*.jsonl``) into ``directory``; its path."""
    from chaos.workload.history import load_jsonl  # the loader, only where files are read

    record = load_jsonl(history_file)
    final = record.lists if record.lists is not None else record.state
    target = Path(directory) / edn_file_name(Path(history_file).name)
    save_edn(target, record.history, final)
    return target
