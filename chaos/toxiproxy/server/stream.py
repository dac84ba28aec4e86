"""What flows through a link: chunks of bytes with their arrival time, in per-stage queues.

Toxiproxy's ``stream`` package in asyncio terms. A :class:`ChunkQueue` is a toxic's input; ``None``
in it is end of stream. Queues count their bytes on the link that owns them, so the link can stop
reading its source while its toxics hold too much (the backpressure Go gets from channels).
"""

from __future__ import annotations

import asyncio
import enum
from collections import deque
from dataclasses import dataclass
from typing import Protocol


class Direction(enum.IntEnum):
    """Upstream is client -> server, downstream is server -> client (upstream's order)."""

    UPSTREAM = 0
    DOWNSTREAM = 1

    @property
    def stream(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, value: str) -> Direction | None:
        # Upstream's ParseDirection is case-insensitive; it keeps the string as given.
        try:
            return cls[value.upper()]
        except KeyError:
            return None


@dataclass(slots=True)
class Chunk:
    data: bytes
    timestamp: float  # time.monotonic() when read, moved on by toxics that delay the chunk


class ChunkSink(Protocol):
    """Where a stage writes: the next stage's queue or the link's destination socket."""

    def put(self, item: Chunk | None) -> None: ...


class BufferAccount(Protocol):
    """The link's count of bytes waiting in its queues."""

    def add_buffered(self, size: int) -> None: ...


class ChunkQueue:
    """An unbounded FIFO of chunks with one async reader; ``put`` never blocks or drops.

    An item stays in the queue until ``get`` returns it, so a reader cancelled while waiting (an
    interrupted toxic) never loses data. A closed queue (its toxic closed the stream) discards.
    """

    __slots__ = ("_account", "_items", "_waiter", "closed")

    def __init__(self, account: BufferAccount) -> None:
        self._account = account
        self._items: deque[Chunk | None] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self.closed = False

    def put(self, item: Chunk | None) -> None:
        if self.closed:
            return
        self._items.append(item)
        if item is not None:
            self._account.add_buffered(len(item.data))
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def get(self) -> Chunk | None:
        while not self._items:
            waiter = asyncio.get_running_loop().create_future()
            self._waiter = waiter
            try:
                await waiter
            finally:
                self._waiter = None
        item = self._items.popleft()
        if item is not None:
            self._account.add_buffered(-len(item.data))
        return item

    def push_front(self, item: Chunk | None) -> None:
        """Put back an item a reader took but could not handle (it is read again first)."""
        if self.closed:
            return
        self._items.appendleft(item)
        if item is not None:
            self._account.add_buffered(len(item.data))

    def drain(self) -> list[Chunk | None]:
        """Take everything queued now, in order (a removed toxic's backlog moves on)."""
        items = list(self._items)
        self._items.clear()
        size = sum(len(item.data) for item in items if item is not None)
        if size:
            self._account.add_buffered(-size)
        return items

    def close(self) -> None:
        self.drain()
        self.closed = True

    def __len__(self) -> int:
        return len(self._items)
