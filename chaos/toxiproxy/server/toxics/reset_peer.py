"""``reset_peer``: on the first data, wait ``timeout`` ms, then close the connection.

As upstream: the data that triggers it is discarded; links opened while the toxic exists have
SO_LINGER 0 on both sockets (set at link setup, whatever the toxicity), so they close with a TCP
RST and each peer reads ``ECONNRESET``; a link that was already open closes with a plain FIN.
Once triggered the wait cannot be interrupted: updating or removing the toxic waits for it to fire
(upstream's ``Pipe`` sleeps without watching its interrupt channel).

Extension: ``strikes`` (read-only, shown beside the attributes) counts the links it closed on
data, the client's or the server's: a link that only ended (end of stream) is not counted.
Extension: ``reset_live_links`` 1 resets links that were open before the toxic too (SO_LINGER 0
set when it fires). A real Toxiproxy ignores the attribute, so it is shown only when set.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from chaos.toxiproxy.server.toxics.base import TOXICS, Toxic, ToxicStub


@TOXICS.register("reset_peer")
@dataclass
class ResetPeerToxic(Toxic):
    timeout: int = 0  # ms
    reset_live_links: int = 0  # 1: RST on links opened before the toxic too (embedded only)

    resets_connection: ClassVar[bool] = True
    counts_strikes: ClassVar[bool] = True
    extension_attributes: ClassVar[frozenset[str]] = frozenset({"reset_live_links"})

    async def pipe(self, stub: ToxicStub) -> None:
        chunk = await stub.receive()  # data or end of stream: either triggers it, as upstream
        stub.uninterruptible = True
        if chunk is not None:
            self.strike()  # counted now: an update waits for the close, a teardown may not
        await stub.sleep(self.timeout / 1000)
        if self.reset_live_links:
            stub.reset_connection()
        stub.close()
