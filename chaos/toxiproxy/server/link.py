"""One direction of one connection (upstream's ``ToxicLink``).

A :class:`Link` carries bytes from a source socket to a destination socket through that
direction's toxics, one :class:`Stage` per toxic. With no toxics the source's bytes go straight to
``transport.write`` of the destination (the fast path: no task, no queue, no copy); adding a toxic
to a live link routes them into its first stage, removing the last one routes them straight again.

End of stream from the source travels through the toxics and then closes the destination socket
fully, as upstream does (no half-close); that in turn ends the other direction.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from typing import Any

from chaos.toxiproxy.server.interfaces import LinkEnd, LinkOwner, StageSpec
from chaos.toxiproxy.server.stream import Chunk, ChunkQueue, Direction
from chaos.toxiproxy.server.toxics.base import Toxic, ToxicStub
from chaos.toxiproxy.server.toxics.noop import NoopToxic

log = logging.getLogger(__name__)

# A link stops reading its source while its toxics hold more than HIGH_WATER bytes and starts
# again below LOW_WATER: the backpressure Go's unbuffered channels give upstream.
HIGH_WATER = 256 * 1024
LOW_WATER = 64 * 1024

# Why a link's source is paused (a bit each).
DESTINATION_FULL = 1
TOXICS_FULL = 2


def discard(data: bytes) -> None:
    pass


class Stage:
    """One toxic in one link: its per-link instance, stub and running task."""

    __slots__ = ("spec", "stub", "task", "toxic")

    def __init__(self, spec: StageSpec, toxic: Toxic, stub: ToxicStub) -> None:
        self.spec = spec
        self.toxic = toxic
        self.stub = stub
        self.task: asyncio.Task[None] | None = None


class Link:
    """One direction of one connection."""

    def __init__(
        self, connection: LinkOwner, direction: Direction, source: LinkEnd, dest: LinkEnd
    ) -> None:
        self.connection = connection
        self.direction = direction
        self.source = source
        self.dest = dest
        self.stages: list[Stage] = []
        self.buffered = 0
        self.paused = 0
        self.eof = False  # end of stream came in from the source
        # The MySQL session keeps the destination open after its source ended (a COMMIT it
        # still has to forward); the end of stream waits for release_eof().
        self.eof_held = False
        self._eof_waiting = False
        self.finished = False  # end of stream reached the destination
        self._time = time.monotonic  # uvloop's loop.time() has only millisecond resolution
        source.outgoing = self
        dest.incoming = self

    def start(self, specs: list[StageSpec]) -> None:
        for spec in specs:
            self._append(spec)
            # The toxic's task is only created: it runs once the loop turns, after this hook.
            self.stages[-1].toxic.started()
        self._route()

    # -- source side --------------------------------------------------------------------------

    def _route(self) -> None:
        """Send the source's bytes to the first toxic, straight to the destination, or nowhere."""
        if self.source.lost:
            return
        if self.finished or self.dest.lost:
            self.source.forward = discard
        elif self.connection.wire is not None:
            self.source.forward = self._feed_wire  # MySQL packets first (mysql/session.py)
        elif self.stages:
            self.source.forward = self._feed_first_stage
        else:
            self.source.forward = self.dest.transport.write

    def _feed_first_stage(self, data: bytes) -> None:
        self.stages[0].stub.input.put(Chunk(data, self._time()))

    def _feed_wire(self, data: bytes) -> None:
        wire = self.connection.wire
        if wire is not None:
            wire.feed(self.direction, data)

    def deliver(self, data: bytes) -> None:
        """Bytes the MySQL session lets through (or injects) into this direction's toxics."""
        if self.finished or self.dest.lost:
            return
        if self.stages:
            self._feed_first_stage(data)
        else:
            self.dest.transport.write(data)

    def wire_session(self) -> Any:
        return self.connection.wire_session()

    def hold_eof(self) -> None:
        self.eof_held = True

    def release_eof(self) -> None:
        self.eof_held = False
        if self._eof_waiting:
            self._eof_waiting = False
            self.feed_eof()

    def feed_eof(self) -> None:
        if self.eof:
            return
        if self.eof_held:
            self._eof_waiting = True
            return
        self.eof = True
        if self.stages:
            self.stages[0].stub.input.put(None)
        else:
            self.put(None)

    def pause_source(self, reason: int) -> None:
        if not self.paused and not self.source.lost:
            self.source.transport.pause_reading()
        self.paused |= reason

    def resume_source(self, reason: int) -> None:
        if not self.paused & reason:
            return
        self.paused &= ~reason
        if not self.paused and not self.source.lost:
            self.source.transport.resume_reading()

    def add_buffered(self, size: int) -> None:
        self.buffered += size
        if size > 0:
            if self.buffered > HIGH_WATER and not self.paused & TOXICS_FULL:
                self.pause_source(TOXICS_FULL)
        elif self.buffered < LOW_WATER:
            self.resume_source(TOXICS_FULL)

    # -- destination side (the last stage's output) --------------------------------------------

    def put(self, item: Chunk | None) -> None:
        if item is None:
            self._finish()
        elif not self.finished and not self.dest.lost:
            self.dest.transport.write(item.data)

    def _finish(self) -> None:
        if self.finished:
            return
        self.finished = True
        self._route()
        self.dest.close(self.connection.reset)

    def dest_lost(self) -> None:
        self._route()

    def reset_connection(self) -> None:
        self.connection.reset_sockets()

    # -- toxics --------------------------------------------------------------------------------

    def _append(self, spec: StageSpec) -> None:
        stub = ToxicStub(ChunkQueue(self), self, self)
        if self.stages:
            self.stages[-1].stub.output = stub.input
        stage = Stage(spec, spec.new_toxic(), stub)
        self.stages.append(stage)
        self._run(stage)

    def _run(self, stage: Stage) -> None:
        # Toxicity is rolled each time a toxic starts on a link, as upstream's ToxicStub.Run.
        toxic = stage.toxic if random.random() < stage.spec.toxicity else NoopToxic()
        stage.task = asyncio.get_running_loop().create_task(self._pipe(toxic, stage.stub))

    async def _pipe(self, toxic: Toxic, stub: ToxicStub) -> None:
        try:
            await toxic.pipe(stub)
        except Exception:  # a toxic's bug ends its link, never the server
            log.exception("toxic %s failed on a link; closing it", type(toxic).__name__)
            stub.close()

    async def _interrupt(self, stage: Stage) -> None:
        task = stage.task
        if task is not None and not task.done():
            if not stage.stub.uninterruptible:
                task.cancel()
            await asyncio.wait({task})

    async def _restart(self, stage: Stage) -> None:
        """Interrupt a toxic and run it again, rolling its toxicity again (upstream does this to
        the toxic before one that is added or removed, to rewire its output)."""
        if stage.stub.closed:
            return
        await self._interrupt(stage)
        if not stage.stub.closed and not self.connection.done:
            self._run(stage)

    def _stage_of(self, spec: StageSpec) -> Stage | None:
        for stage in self.stages:
            if stage.spec is spec:
                return stage
        return None

    async def add_toxic(self, spec: StageSpec) -> None:
        if self.finished or self.connection.done:
            return
        previous = self.stages[-1] if self.stages else None
        self._append(spec)
        self._route()
        if previous is not None:
            await self._restart(previous)

    async def update_toxic(self, spec: StageSpec) -> None:
        stage = self._stage_of(spec)
        if stage is None:
            return
        await self._interrupt(stage)
        stage.toxic.set_attributes(spec.attributes)
        if not stage.stub.closed and not self.connection.done:
            self._run(stage)

    async def remove_toxic(self, spec: StageSpec) -> None:
        stage = self._stage_of(spec)
        if stage is None:
            return
        if not stage.stub.closed:
            await self._interrupt(stage)
            stage.toxic.cleanup(stage.stub)
        if stage.stub.closed:
            # Its end of stream has gone on; it stays in place, discarding (as upstream).
            return
        # What the toxic had not handled yet moves on in order, then its neighbours join up.
        for item in stage.stub.input.drain():
            stage.stub.output.put(item)
        index = self.stages.index(stage)
        if index > 0:
            self.stages[index - 1].stub.output = stage.stub.output
        del self.stages[index]
        self._route()
        if index > 0:
            await self._restart(self.stages[index - 1])

    def cancel(self) -> list[asyncio.Task[None]]:
        tasks = [s.task for s in self.stages if s.task is not None and not s.task.done()]
        for task in tasks:
            task.cancel()
        return tasks
