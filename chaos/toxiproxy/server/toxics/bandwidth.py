"""``bandwidth``: at most ``rate`` KB/s (1 KB = 1000 bytes, as upstream computes it)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from chaos.toxiproxy.server.stream import Chunk
from chaos.toxiproxy.server.toxics.base import TOXICS, Toxic, ToxicStub

SLICE_SECONDS = 0.1  # big chunks go out in 100 ms pieces, as upstream does


@TOXICS.register("bandwidth")
@dataclass
class BandwidthToxic(Toxic):
    rate: int = 0  # KB/s

    async def pipe(self, stub: ToxicStub) -> None:
        owed = 0.0  # seconds of sending still due; carries timer error over to the next chunk
        while (chunk := await stub.receive()) is not None:
            data = chunk.data
            try:
                if self.rate <= 0:
                    # Upstream loops forever sending empty slices at rate 0 (and panics below 0):
                    # nothing gets through until the toxic changes. Hold, without the spinning.
                    await stub.hold()
                owed += len(data) / (self.rate * 1000)
                piece = self.rate * 100
                while len(data) > piece:
                    await stub.sleep(SLICE_SECONDS)
                    stub.send(Chunk(data[:piece], chunk.timestamp))
                    data = data[piece:]
                    owed -= SLICE_SECONDS
                started = stub.now()
                await stub.sleep(owed)
                owed -= stub.now() - started
            except asyncio.CancelledError:
                stub.send(Chunk(data, chunk.timestamp))  # interrupted: never drop what we hold
                raise
            stub.send(Chunk(data, chunk.timestamp))
        stub.close()
