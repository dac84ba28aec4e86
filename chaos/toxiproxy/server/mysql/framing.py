"""Cutting one direction's byte stream into MySQL packets without copying the row payloads."""

from __future__ import annotations

from collections.abc import Callable

from chaos.toxiproxy.server.mysql.packets import MAX_PAYLOAD

#: Called per whole packet: (buffer, payload start, payload length, sequence id). ``True``
#: forwards the packet unchanged, ``False`` drops it, bytes replace it.
PacketHandler = Callable[[bytearray, int, int, int], "bool | bytes"]


class PacketSplitter:
    """Buffers one direction until whole packets are in, hands each to a handler in order.

    Forwarded packets leave in runs (one write per fed chunk, not one per packet), so a big
    result set costs a header read per row and no copy of its payload. Setting ``stopped`` from
    the handler ends framing: what follows is the caller's (raw passthrough, or discarded).
    """

    __slots__ = ("_buffer", "continuing", "stopped")

    def __init__(self) -> None:
        self._buffer = bytearray()
        self.continuing = False  # the last packet was 0xFFFFFF long: the next one continues it
        self.stopped = False

    def feed(self, data: bytes, handle: PacketHandler, emit: Callable[[bytes], None]) -> None:
        buffer = self._buffer
        buffer += data
        size = len(buffer)
        pos = 0
        run_start = 0  # first byte of the run of forwarded packets not yet emitted
        while size - pos >= 4 and not self.stopped:
            length = buffer[pos] | buffer[pos + 1] << 8 | buffer[pos + 2] << 16
            end = pos + 4 + length
            if end > size:
                break
            # The tail of a big packet goes with its head, which was decided already.
            verdict = True if self.continuing else handle(buffer, pos + 4, length, buffer[pos + 3])
            self.continuing = length == MAX_PAYLOAD
            if verdict is not True:
                if run_start < pos:
                    emit(bytes(buffer[run_start:pos]))
                if verdict:
                    emit(verdict)
                run_start = end
            pos = end
        if run_start < pos:
            emit(bytes(buffer[run_start:pos]))
        del buffer[:pos]

    def take_rest(self) -> bytes:
        """Everything buffered and not framed (for a link that stops being parsed)."""
        rest = bytes(self._buffer)
        self._buffer.clear()
        return rest
