"""``latency``: every chunk leaves ``latency`` +/- ``jitter`` milliseconds after it arrived.

Extension: ``strikes`` (read-only, shown beside the attributes) counts the chunks it held back
(every chunk it took in while its delay was above zero), also those an interruption let go early.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from typing import ClassVar

from chaos.toxiproxy.server.toxics.base import TOXICS, Toxic, ToxicStub


@TOXICS.register("latency")
@dataclass
class LatencyToxic(Toxic):
    latency: int = 0  # ms
    jitter: int = 0  # ms

    counts_strikes: ClassVar[bool] = True

    def delay(self) -> float:
        delay = self.latency
        if self.jitter > 0:
            # Upstream: rand.Int63n(2*jitter) - jitter, uniform in [-jitter, jitter).
            delay += random.randrange(2 * self.jitter) - self.jitter
        return delay / 1000

    async def pipe(self, stub: ToxicStub) -> None:
        while (chunk := await stub.receive()) is not None:
            # Measured from arrival, so time spent queued behind earlier chunks counts.
            delay = self.delay()
            deadline = chunk.timestamp + delay
            if delay > 0:
                self.strike()
            try:
                await stub.sleep_until(deadline)
            except asyncio.CancelledError:
                stub.send(chunk)  # interrupted: deliver now rather than drop
                raise
            chunk.timestamp = max(chunk.timestamp, deadline)
            stub.send(chunk)
        stub.close()
