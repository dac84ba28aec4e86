"""Framing the server's side of a MySQL connection: greeting, authentication, each answer.

What the server sends next depends on the command in flight (``Wait``): one OK/ERR, a result set
(column count, definitions, a classic EOF marker or not, rows up to the 0xFE terminator), more
results while SERVER_MORE_RESULTS_EXISTS is set, a prepared statement's definitions, or a LOCAL
INFILE request. Every answer's last packet goes to ``_end`` with the server's status flags.
"""

from __future__ import annotations

import logging

from chaos.toxiproxy.server.mysql import packets as p
from chaos.toxiproxy.server.mysql.model import Phase, Wait

log = logging.getLogger(__name__)


class ResponseFraming:
    """The server-side half of :class:`~chaos.toxiproxy.server.mysql.session.WireSession`."""

    phase: Phase
    wait: Wait
    status: int
    caps: int
    server_caps: int
    deprecate_eof: bool | None
    _infile: bool
    _left: int
    _blocks: list[int]
    _prepared: dict[int, str]
    _prepare_text: str

    def _end(self, status: int, error: bool) -> bool: ...
    def _track(self, status: int) -> None: ...
    def _pass_through(self, why: str) -> None: ...

    def _from_server(self, buf: bytearray, start: int, length: int, seq: int) -> bool | bytes:
        wait = self.wait
        first = buf[start] if length else -1
        if wait is Wait.ROWS:
            if first == p.EOF and length < p.MAX_PAYLOAD:
                if length < 7:  # a classic EOF, else an OK with the 0xFE header
                    status = p.eof_status(buf[start : start + 5])
                else:
                    status = self._ok(buf, start, length)
                return self._end(status, error=False)
            if first == p.ERR:
                return self._end(self.status, error=True)
            return True
        if self.phase is not Phase.COMMAND:
            return self._handshake(buf, start, length, first)
        if wait is Wait.RESULT:
            if first == p.OK:
                return self._end(self._ok(buf, start, length), error=False)
            if first == p.ERR:
                return self._end(self.status, error=True)
            if first == p.LOCAL_INFILE:
                self._infile = True  # the client sends the file; the server's OK ends it
                return True
            self._left, _ = p.lenenc_int(buf, start)
            self.wait = Wait.COLUMNS
            return True
        if wait is Wait.COLUMNS:
            if self._left > 0:
                self._left -= 1
                return True
            self.wait = Wait.ROWS
            if first == p.EOF and length == 5:
                return True  # the classic EOF marker after the definitions
            return self._from_server(buf, start, length, seq)
        if wait is Wait.ONE:
            if first == p.OK:
                return self._end(self._ok(buf, start, length), error=False)
            if first == p.EOF:
                return self._end(p.eof_status(buf[start : start + 5]), error=False)
            return self._end(self.status, error=first == p.ERR)
        if wait is Wait.FIELDS:
            if first == p.EOF and length < 9:
                return self._end(p.eof_status(buf[start : start + 5]), error=False)
            if first == p.ERR:
                return self._end(self.status, error=True)
            return True
        if wait is Wait.PREPARE:
            return self._prepare_ok(buf, start, length, first)
        if wait is Wait.DEFINITIONS:
            return self._definition(length, first)
        if wait is Wait.AUTH:
            if first in (p.OK, p.ERR):
                self.wait = Wait.NOTHING
            return True
        if wait is Wait.NOTHING and first == p.ERR:
            log.info("mysql server sent an unsolicited error (seq %d)", seq)
        return True  # unsolicited, or OPAQUE: passed on

    def _handshake(self, buf: bytearray, start: int, length: int, first: int) -> bool:
        if self.phase is Phase.GREETING:
            self.phase = Phase.LOGIN
            if first == 10:  # protocol version 10: read the server's capability flags
                end = buf.find(b"\x00", start + 1, start + length)
                caps_at = end + 1 + 4 + 8 + 1
                if end >= 0 and caps_at + 2 <= start + length:
                    self.server_caps = buf[caps_at] | buf[caps_at + 1] << 8
                    if caps_at + 7 <= start + length:
                        self.server_caps |= (buf[caps_at + 5] | buf[caps_at + 6] << 8) << 16
            return True
        if self.phase is Phase.AUTH and first == p.OK:
            self.phase = Phase.COMMAND
            self.status = self._ok(buf, start, length)
            self._track(self.status)
            if self.caps & p.CLIENT_COMPRESS:
                self._pass_through("compressed protocol")
        return True

    def _prepare_ok(self, buf: bytearray, start: int, length: int, first: int) -> bool:
        if first != p.OK or length < 9:
            return self._end(self.status, error=first == p.ERR)
        stmt_id = int.from_bytes(buf[start + 1 : start + 5], "little")
        columns = buf[start + 5] | buf[start + 6] << 8
        params = buf[start + 7] | buf[start + 8] << 8
        self._prepared[stmt_id] = self._prepare_text
        marker = 0 if self.deprecate_eof else 1  # a classic EOF ends each non-empty block
        self._blocks = [n + marker for n in (params, columns) if n]
        return self._next_block()

    def _next_block(self) -> bool:
        if not self._blocks:
            self.wait = Wait.NOTHING
            return True
        self._left = self._blocks.pop(0)
        self.wait = Wait.DEFINITIONS
        return True

    def _definition(self, length: int, first: int) -> bool:
        self._left -= 1
        if self._left <= 0:
            return self._next_block()
        return True

    @staticmethod
    def _ok(buf: bytearray, start: int, length: int) -> int:
        return p.ok_status(buf[start : start + min(length, 32)])
