"""``slow_close``: data flows as usual; the close is delayed by ``delay`` milliseconds."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from chaos.toxiproxy.server.toxics.base import TOXICS, Toxic, ToxicStub


@TOXICS.register("slow_close")
@dataclass
class SlowCloseToxic(Toxic):
    delay: int = 0  # ms

    async def pipe(self, stub: ToxicStub) -> None:
        while (chunk := await stub.receive()) is not None:
            stub.send(chunk)
        try:
            await stub.sleep(self.delay / 1000)
        except asyncio.CancelledError:
            # Upstream swallows the end of stream here and the link never closes; give it back.
            stub.requeue(None)
            raise
        stub.close()
