"""``reset_peer``: on the first data, wait ``timeout`` ms, then reset the connection (TCP RST).

The data that triggers it is discarded, as upstream does. Both sockets close with SO_LINGER 0, so
each peer reads ``ECONNRESET`` rather than end of file.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import ClassVar

from chaos.toxiproxy.server.toxics.base import TOXICS, Toxic, ToxicStub


@TOXICS.register("reset_peer")
@dataclass
class ResetPeerToxic(Toxic):
    timeout: int = 0  # ms

    resets_connection: ClassVar[bool] = True

    async def pipe(self, stub: ToxicStub) -> None:
        trigger = await stub.receive()
        try:
            await stub.sleep(self.timeout / 1000)
        except asyncio.CancelledError:
            stub.requeue(trigger)  # interrupted before the reset: the trigger was not consumed
            raise
        stub.reset_connection()
        stub.close()
