"""``mysql_greeting_delay`` (an extension of Toxiproxy's API): the server's greeting is late.

On a link that opens while the toxic is present, the first chunk from the server (its greeting,
the first thing a MySQL server sends) leaves ``delay`` milliseconds after it arrived; every
later chunk, and every chunk of a live link the toxic is added to, passes at once. A server
short of threads, a slow DNS lookup of the client's name, or a proxy queueing new connections
stall the handshake like this while established sessions answer as before: what Toxiproxy's
``latency`` cannot do, as it delays every chunk of every link.

It belongs on the ``downstream`` stream (server to client). Interrupted (removed, or a
neighbouring toxic added) while it holds the greeting, it lets the greeting go at once, as
``latency`` does: a heal ends the stall.

Its ``strikes`` count the greetings it held back, over every link of its proxy.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import ClassVar

from chaos.toxiproxy.server.toxics.base import TOXICS, Toxic, ToxicStub


@TOXICS.register("mysql_greeting_delay")
@dataclass
class MysqlGreetingDelayToxic(Toxic):
    delay: int = 5000  # ms
    #: This link opened while the toxic was present and its greeting has not left yet.
    pending: bool = field(default=False, init=False, repr=False)

    counts_strikes: ClassVar[bool] = True

    def started(self) -> None:
        self.pending = True

    async def pipe(self, stub: ToxicStub) -> None:
        if self.pending:
            chunk = await stub.receive()
            self.pending = False
            if chunk is None:
                stub.close()
                return
            if self.delay > 0:
                self.strike()
            try:
                await stub.sleep_until(chunk.timestamp + self.delay / 1000)
            except asyncio.CancelledError:
                stub.send(chunk)  # interrupted: deliver now rather than drop
                raise
            stub.send(chunk)
        while (chunk := await stub.receive()) is not None:
            stub.send(chunk)
        stub.close()
