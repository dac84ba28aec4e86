"""``slicer``: each chunk leaves as slices of about ``average_size`` bytes, ``delay`` µs apart."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from dataclasses import dataclass

from chaos.toxiproxy.server.stream import Chunk
from chaos.toxiproxy.server.toxics.base import TOXICS, Toxic, ToxicStub


@TOXICS.register("slicer")
@dataclass
class SlicerToxic(Toxic):
    average_size: int = 0  # bytes
    size_variation: int = 0  # bytes, +/- (should be below average_size)
    delay: int = 0  # µs after each slice

    def slices(self, size: int) -> Iterator[tuple[int, int]]:
        """Offsets of the slices of ``size`` bytes, in order: halve until a piece is within
        ``average_size + size_variation``, moving each cut by +/- ``size_variation``.

        Made one at a time, between the sends: a 256 KiB chunk cut into single bytes is 262,144
        slices, and listing them first held the event loop (every other link) for 0.15-0.2 s.
        """
        pending = [(0, size)]
        while pending:
            start, end = pending.pop()
            if end - start - self.average_size <= self.size_variation or end - start <= 1:
                yield start, end
                continue
            middle = start + (end - start) // 2
            if self.size_variation > 0:
                middle += random.randrange(2 * self.size_variation) - self.size_variation
            # Upstream recurses forever for an average_size of 0 and panics for a cut outside
            # the piece; keeping every cut inside guarantees progress.
            middle = min(max(middle, start + 1), end - 1)
            pending.append((middle, end))
            pending.append((start, middle))

    async def pipe(self, stub: ToxicStub) -> None:
        while (chunk := await stub.receive()) is not None:
            for start, end in self.slices(len(chunk.data)):
                stub.send(Chunk(chunk.data[start:end], chunk.timestamp))
                try:
                    await stub.sleep(self.delay / 1_000_000)
                except asyncio.CancelledError:
                    if end < len(chunk.data):
                        stub.send(Chunk(chunk.data[end:], chunk.timestamp))
                    raise
        stub.close()
