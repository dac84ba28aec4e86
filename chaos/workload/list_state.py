"""A list-append run's data: micro-ops and the final lists, as plain values (no database here).

A micro-op is Elle's: ``("append", key, value)`` appends ``value`` to the list at ``key``;
``("r", key, values)`` reads it (``values`` is None until the read has happened, then a tuple).
Values are unique over a run, so every element of a list names the one append that wrote it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

APPEND = "append"
READ = "r"

#: ``(APPEND, key, value)`` or ``(READ, key, values-or-None)``.
MicroOp = tuple[str, int, Any]


def micro_op(raw: Iterable[Any]) -> MicroOp:
    """One micro-op from its JSON or tuple form; a malformed one raises ValueError."""
    parts = list(raw)
    if len(parts) != 3 or parts[0] not in (APPEND, READ):
        raise ValueError(f"a micro-op is [append|r, key, value], not {parts!r}")
    function, key, value = parts
    if function == READ and value is not None:
        value = tuple(int(v) for v in value)
    elif function == APPEND:
        value = int(value)
    return (function, int(key), value)


def micro_ops(raw: Iterable[Iterable[Any]]) -> tuple[MicroOp, ...]:
    return tuple(micro_op(mop) for mop in raw)


def appends(txn: Iterable[MicroOp]) -> list[tuple[int, int]]:
    """``(key, value)`` of each append in ``txn``."""
    return [(key, value) for function, key, value in txn if function == APPEND]


def reads(txn: Iterable[MicroOp]) -> list[tuple[int, tuple[int, ...]]]:
    """``(key, values)`` of each read in ``txn`` that has its values."""
    return [(key, value) for function, key, value in txn if function == READ and value is not None]


@dataclass(frozen=True)
class ListState:
    """Every key's list at one instant (read after healing, in one snapshot)."""

    lists: Mapping[int, tuple[int, ...]]

    def to_dict(self) -> dict[str, Any]:
        return {"lists": {str(key): list(values) for key, values in sorted(self.lists.items())}}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ListState:
        return cls({int(k): tuple(int(v) for v in values) for k, values in data["lists"].items()})
