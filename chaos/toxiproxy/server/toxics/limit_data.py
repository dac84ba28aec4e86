"""``limit_data``: the connection closes once ``bytes`` bytes have passed (the rest is cut)."""

from __future__ import annotations

from dataclasses import dataclass, field

from chaos.toxiproxy.server.stream import Chunk
from chaos.toxiproxy.server.toxics.base import TOXICS, Toxic, ToxicStub


@TOXICS.register("limit_data")
@dataclass
class LimitDataToxic(Toxic):
    bytes: int = 0
    transmitted: int = field(default=0, init=False)  # per link; survives attribute updates

    async def pipe(self, stub: ToxicStub) -> None:
        while (chunk := await stub.receive()) is not None:
            remaining = max(self.bytes - self.transmitted, 0)
            if remaining < len(chunk.data):
                chunk = Chunk(chunk.data[:remaining], chunk.timestamp)
            if chunk.data:
                stub.send(chunk)
                self.transmitted += len(chunk.data)
            if self.bytes - self.transmitted <= 0:
                break
        stub.close()
