"""``timeout``: no data gets through; the connection closes ``timeout`` ms after the last data.

As upstream, the timer starts when the toxic starts and again on every chunk it drops, so a
steady trickle keeps the connection open. With ``timeout`` 0 (or less, as upstream reads it) the
connection stays open and data is dropped until the toxic is removed; removing it closes the
connections it held (upstream's ``Cleanup``).
"""

from __future__ import annotations

from dataclasses import dataclass

from chaos.toxiproxy.server.toxics.base import EXPIRED, TOXICS, Toxic, ToxicStub


@TOXICS.register("timeout")
@dataclass
class TimeoutToxic(Toxic):
    timeout: int = 0  # ms

    async def pipe(self, stub: ToxicStub) -> None:
        if self.timeout > 0:
            while True:
                item = await stub.receive_before(stub.now() + self.timeout / 1000)
                if item is None or item is EXPIRED:
                    break
                # Data is dropped on the ground: that is the toxic.
        else:
            while await stub.receive() is not None:
                pass
        stub.close()

    def cleanup(self, stub: ToxicStub) -> None:
        stub.close()
