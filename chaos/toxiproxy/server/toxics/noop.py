"""``noop``: passes every byte through untouched (also what a link runs when toxicity says no)."""

from __future__ import annotations

from dataclasses import dataclass

from chaos.toxiproxy.server.toxics.base import TOXICS, Toxic, ToxicStub


@TOXICS.register("noop")
@dataclass
class NoopToxic(Toxic):
    async def pipe(self, stub: ToxicStub) -> None:
        while (chunk := await stub.receive()) is not None:
            stub.send(chunk)
        stub.close()
