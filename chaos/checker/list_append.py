"""A list-append history's own checks, no Elle needed (``lost-append``, ``duplicate-append``,
``garbage-read``, ``aborted-read``, ``incompatible-order``, ``partial-txn``,
``nonmonotonic-read``, ``internal-read``).

Every appended value is unique, so each element of a list names the one append that wrote it.
Judged against the ``ok`` reads and the final lists:

- an ``ok`` append is in the final list, and in every read of its key begun after it completed;
- no list holds a value twice, nor a value never appended to that key, nor one whose
  transaction was reported failed;
- every read is a prefix of the final list: appends land in one order that all reads agree on;
- a transaction's appends all landed or none did;
- a read begun after another read of the key completed sees at least what that one saw (lists
  only grow): a value seen and then gone is Elle's G-single-item-realtime;
- a transaction that appended to a key and then reads it sees its own appends, in order, at
  the end of the list (Elle's ``internal``).

Cycles between transactions (G0, G1c, G2: Elle's anomalies) need Elle itself: export the
history with ``--elle DIR``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import ClassVar

from chaos.checker.protocol import CheckContext
from chaos.checker.result import Violation, ViolationKind
from chaos.workload.history import History, Operation, Result
from chaos.workload.list_state import APPEND, ListState, appends, reads

#: A list as somebody saw it: the read's operation (None for the final lists), key, values.
Observation = tuple[Operation | None, int, tuple[int, ...]]


def list_state(state: object, checker: str) -> ListState:
    """``state`` for a checker that judges the final lists; raises when the run has none."""
    if not isinstance(state, ListState):
        raise ValueError(f"{checker} judges the final lists and the run has none")
    return state


@dataclass(frozen=True)
class ListAppendChecker:
    name: ClassVar[str] = "list-append"

    def check(self, history: History, state: object, context: CheckContext) -> list[Violation]:
        final = list_state(state, self.name).lists
        txns = history.transactions()
        writer = {value: (op, key) for op in txns for key, value in appends(op.txn or ())}
        seen: list[Observation] = [
            (op, key, values)
            for op in txns
            if op.result is Result.OK
            for key, values in reads(op.txn or ())
        ]
        seen += [(None, key, values) for key, values in sorted(final.items())]
        violations: list[Violation] = []
        for reader, key, values in seen:
            violations += _contents(reader, key, values, writer)
            if len(set(values)) == len(values):
                violations += _order(reader, key, values, final.get(key, ()))
        violations += _lost(txns, seen, final)
        violations += _partial(txns, final)
        violations += _unread(seen)
        violations += _internal(txns)
        return violations


def _where(reader: Operation | None, key: int) -> str:
    return f"the final list {key}" if reader is None else f"{reader.op_id}'s read of {key}"


def _ids(*ops: Operation | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(op.op_id for op in ops if op is not None))


def _contents(
    reader: Operation | None,
    key: int,
    values: tuple[int, ...],
    writer: dict[int, tuple[Operation, int]],
) -> list[Violation]:
    found: list[Violation] = []
    for value, count in Counter(values).items():
        appended = writer.get(value)
        if appended is None or appended[1] != key:
            found.append(
                Violation(
                    ViolationKind.GARBAGE_READ,
                    _ids(reader),
                    f"{_where(reader, key)} holds {value}, never appended to {key}",
                )
            )
            continue
        op = appended[0]
        if count > 1:
            found.append(
                Violation(
                    ViolationKind.DUPLICATE_APPEND,
                    _ids(op, reader),
                    f"{_where(reader, key)} holds {op.op_id}'s {value} {count} times",
                )
            )
        if op.result is Result.FAIL:
            found.append(
                Violation(
                    ViolationKind.ABORTED_READ,
                    _ids(op, reader),
                    f"{_where(reader, key)} holds {value} of {op.op_id}, reported failed",
                )
            )
    return found


def _order(
    reader: Operation | None, key: int, values: tuple[int, ...], final: tuple[int, ...]
) -> list[Violation]:
    if reader is None or final[: len(values)] == values:
        return []
    return [
        Violation(
            ViolationKind.INCOMPATIBLE_ORDER,
            _ids(reader),
            f"{_where(reader, key)} saw {list(values)}, not a prefix of the final {list(final)}",
        )
    ]


def _lost(
    txns: tuple[Operation, ...], seen: list[Observation], final: dict[int, tuple[int, ...]]
) -> list[Violation]:
    found: list[Violation] = []
    for op in txns:
        if op.result is not Result.OK:
            continue
        for key, value in appends(op.txn or ()):
            if value not in final.get(key, ()):
                found.append(
                    Violation(
                        ViolationKind.LOST_APPEND,
                        (op.op_id,),
                        f"{op.op_id} appended {value} to {key} (ok), not in the final list",
                    )
                )
                continue
            for reader, read_key, values in seen:
                if reader is None or read_key != key or reader.invoke <= op.complete:
                    continue
                if value not in values:
                    found.append(
                        Violation(
                            ViolationKind.LOST_APPEND,
                            _ids(op, reader),
                            f"{op.op_id} appended {value} to {key} (ok) before "
                            f"{reader.op_id} began, which did not see it",
                        )
                    )
    return found


def _partial(txns: tuple[Operation, ...], final: dict[int, tuple[int, ...]]) -> list[Violation]:
    found: list[Violation] = []
    for op in txns:
        landed = [
            (key, value) for key, value in appends(op.txn or ()) if value in final.get(key, ())
        ]
        missing = [
            (key, value) for key, value in appends(op.txn or ()) if value not in final.get(key, ())
        ]
        if landed and missing:
            found.append(
                Violation(
                    ViolationKind.PARTIAL_TXN,
                    (op.op_id,),
                    f"{op.op_id} ({op.result}): {landed} landed, {missing} did not",
                )
            )
    return found


def _unread(seen: list[Observation]) -> list[Violation]:
    """Reads that saw less of a list than a read completed before they began."""
    found: list[Violation] = []
    for earlier, key, before in seen:
        for later, later_key, after in seen:
            if earlier is None or later is None or later_key != key or len(after) >= len(before):
                continue
            if later.invoke > earlier.complete:
                gone = [value for value in before if value not in after]
                found.append(
                    Violation(
                        ViolationKind.NONMONOTONIC_READ,
                        _ids(earlier, later),
                        f"{_where(earlier, key)} saw {list(before)}; {later.op_id}, begun after "
                        f"it completed, saw {list(after)} ({gone} gone)",
                    )
                )
    return found


def _internal(txns: tuple[Operation, ...]) -> list[Violation]:
    """``ok`` transactions whose read of a key missed their own earlier appends to it."""
    found: list[Violation] = []
    for op in txns:
        if op.result is not Result.OK:
            continue
        mine: dict[int, list[int]] = {}
        for function, key, value in op.txn or ():
            if function == APPEND:
                mine.setdefault(key, []).append(value)
            elif value is not None and key in mine and list(value[-len(mine[key]) :]) != mine[key]:
                found.append(
                    Violation(
                        ViolationKind.INTERNAL_READ,
                        (op.op_id,),
                        f"{op.op_id} appended {mine[key]} to {key}, then read {list(value)}",
                    )
                )
    return found
