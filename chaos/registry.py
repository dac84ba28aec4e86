"""A registry of named things (toxics, faults, strategies, repro variants).

One pattern everywhere: register under a unique name, look up by name, and an unknown name is a
``UnknownNameError`` whose message lists the valid names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from chaos.errors import UnknownNameError

T = TypeVar("T")


class Registry(Generic[T]):
    """Maps unique names to values, keeping registration order."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}

    def add(self, name: str, item: T) -> T:
        if name in self._items:
            raise ValueError(f"duplicate {self.kind} name: {name!r}")
        self._items[name] = item
        return item

    def remove(self, name: str) -> T:
        """Take ``name`` out again (a test's own entry, gone when the test is)."""
        item = self.get(name)
        del self._items[name]
        return item

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator form of :meth:`add`."""

        def decorate(item: T) -> T:
            return self.add(name, item)

        return decorate

    def get(self, name: str) -> T:
        try:
            return self._items[name]
        except KeyError:
            raise UnknownNameError(
                f"unknown {self.kind} {name!r}; valid names: {', '.join(self._items)}"
            ) from None

    def select(self, names: list[str] | tuple[str, ...] | None) -> list[str]:
        """Validate ``names`` (all when empty or None) and return them in registry order."""
        if not names:
            return list(self._items)
        for name in names:
            self.get(name)
        return [name for name in self._items if name in names]

    def names(self) -> list[str]:
        return list(self._items)

    def items(self) -> list[tuple[str, T]]:
        return list(self._items.items())

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)
