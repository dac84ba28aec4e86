"""One connection seen through the MySQL protocol: handshake, commands, responses, transaction.

A :class:`WireSession` sits in front of both links of a connection once a protocol toxic is on
its proxy. The client's bytes and the server's bytes are cut into packets; each client command
and each server response is tracked, so the transaction state is known from the status flags
the server puts in every OK and EOF packet, and protocol toxics (``rules``) can act at an exact
point: before a statement reaches the server, or when its answer reaches the proxy.

TLS and compressed links cannot be seen into: they pass through untouched from the moment that
is known (logged at info, and ``passthrough`` says why).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Protocol

from chaos.toxiproxy.server.interfaces import SessionOwner
from chaos.toxiproxy.server.mysql import packets as p
from chaos.toxiproxy.server.mysql.framing import PacketSplitter
from chaos.toxiproxy.server.mysql.model import (
    DelayedStrike,
    ErrorStrike,
    Phase,
    Statement,
    Strike,
    Wait,
    is_transaction_control,
    is_write,
)
from chaos.toxiproxy.server.mysql.responses import ResponseFraming
from chaos.toxiproxy.server.stream import Direction

log = logging.getLogger(__name__)


class Rule(Protocol):
    """A protocol toxic as the session consults it (see ``mysql.rule.ProtocolToxic``)."""

    def observe(self, st: Statement) -> None: ...
    def on_statement(
        self, session: WireSession, st: Statement
    ) -> Strike | ErrorStrike | DelayedStrike | None: ...
    def on_answer(
        self, session: WireSession, st: Statement, status: int, error: bool
    ) -> Strike | None: ...


class WireSession(ResponseFraming):
    def __init__(self, connection: SessionOwner, live: bool) -> None:
        self.connection = connection
        self.rules: list[Rule] = []
        # A protocol toxic added to a live link starts parsing it there, assuming the link is
        # idle in the command phase (between commands), as a connection at rest is.
        self.phase = Phase.COMMAND if live else Phase.GREETING
        self.wait = Wait.NOTHING
        self.passthrough: str | None = None
        self.cut = False
        self.server_caps = 0
        self.caps = 0
        self.deprecate_eof: bool | None = None  # unknown on a link attached live
        self.in_transaction = False
        self.transaction_wrote = False  # a statement of the open transaction changed data
        self.autocommit = True
        self.status = 0
        self.transaction_statements = 0  # work statements answered in the open transaction
        self._splitters = (PacketSplitter(), PacketSplitter())
        self._infile = False  # the client is sending a LOCAL INFILE's content
        self._statement: Statement | None = None  # the statement whose answer is in flight
        self._cut_at_answer = False
        self._cut_at_next_command = False
        self._swallow: ErrorStrike | None = None  # an injected ROLLBACK's answer to drop
        self._client_gone = False  # the client's side was closed, the server's is kept open
        self._prepare_text = ""
        self._prepared: dict[int, str] = {}
        self._left = 0  # definitions left in the current block
        self._blocks: list[int] = []  # definition blocks still to come (prepare)
        if live:
            self._unreadable_since_login(connection.login_caps)

    def _unreadable_since_login(self, caps: int | None) -> None:
        """A live link whose login asked for TLS or compression carries no MySQL packets now:
        parsed as such, a TLS record's header reads as a 200 KB packet and the link stalls."""
        if caps is None:
            return
        if caps & p.CLIENT_SSL:
            self._pass_through("TLS: the client asked for CLIENT_SSL at login")
        elif caps & p.CLIENT_COMPRESS:
            self._pass_through("compressed protocol, asked for at login")

    # -- bytes in and out ---------------------------------------------------------------------

    def feed(self, direction: Direction, data: bytes) -> None:
        if self.cut or (self._client_gone and direction is Direction.UPSTREAM):
            return
        if self.passthrough is not None:
            self._deliver(direction, data)
            return
        splitter = self._splitters[direction]
        handle = self._from_client if direction is Direction.UPSTREAM else self._from_server
        splitter.feed(data, handle, lambda out: self._deliver(direction, out))
        if self.passthrough is not None and not self.cut:
            for d in Direction:
                rest = self._splitters[d].take_rest()
                if rest:
                    self._deliver(d, rest)

    def _deliver(self, direction: Direction, data: bytes) -> None:
        if self.cut:
            return
        links = self.connection.links
        if links is not None:
            links[direction].deliver(data)

    def reply(self, payload: bytes) -> None:
        """Bytes to the client as if the server sent them."""
        self._deliver(Direction.DOWNSTREAM, payload)

    def cut_link(self, why: str) -> None:
        """Close both sockets (FIN) after what was let through; nothing more passes."""
        if self.cut:
            return
        log.info("mysql link cut: %s", why)
        self.cut = True
        for splitter in self._splitters:
            splitter.stopped = True
        # End of stream follows what was already let through (an injected ERR too) down each
        # direction's toxics, then closes that direction's destination socket.
        for link in self.connection.links or ():
            link.release_eof()
            link.feed_eof()

    def _pass_through(self, why: str) -> None:
        log.info("mysql link not parsed (%s): passed through untouched", why)
        self.passthrough = why
        for splitter in self._splitters:
            splitter.stopped = True

    @property
    def idle(self) -> bool:
        return self.phase is Phase.COMMAND and self.wait is Wait.NOTHING and not self._infile

    # -- the client's packets -----------------------------------------------------------------

    def _from_client(self, buf: bytearray, start: int, length: int, seq: int) -> bool | bytes:
        if self.phase is Phase.LOGIN:
            return self._login(buf, start, length)
        if self.phase is not Phase.COMMAND or self._infile:
            if self._infile and length == 0:
                self._infile = False  # the empty packet ends the file's content
            return True
        if seq != 0 or length == 0:
            return True  # part of an exchange (a COM_CHANGE_USER auth switch answer)
        if self._cut_at_next_command:
            # Consumed whole, so the close is a FIN: the client reads end of stream.
            self.cut_link("the link died before the next command")
            return False
        command = buf[start]
        st: Statement | None = None
        self._statement = None
        self._cut_at_answer = False
        if command == p.COM_QUERY:
            self.wait = Wait.RESULT
            st = Statement(self._text(buf, start + 1, length - 1), command, self.in_transaction)
        elif command == p.COM_STMT_EXECUTE:
            self.wait = Wait.RESULT
            stmt_id = int.from_bytes(buf[start + 1 : start + 5], "little")
            st = Statement(self._prepared.get(stmt_id, ""), command, self.in_transaction)
            st.arguments = bytes(buf[start + 5 : start + min(length, 65536)])
        elif command == p.COM_STMT_PREPARE:
            self.wait = Wait.PREPARE
            self._prepare_text = self._text(buf, start + 1, length - 1)
        elif command == p.COM_STMT_CLOSE:
            self._prepared.pop(int.from_bytes(buf[start + 1 : start + 5], "little"), None)
        elif command in (p.COM_QUIT, p.COM_STMT_SEND_LONG_DATA):
            pass  # no answer
        elif command == p.COM_STMT_FETCH:
            self.wait = Wait.ROWS
        elif command == p.COM_FIELD_LIST:
            self.wait = Wait.FIELDS
        elif command == p.COM_CHANGE_USER:
            self.wait = Wait.AUTH
        elif command in (
            p.COM_PING,
            p.COM_INIT_DB,
            p.COM_RESET_CONNECTION,
            p.COM_STMT_RESET,
            p.COM_SET_OPTION,
        ):
            self.wait = Wait.ONE
        else:
            self.wait = Wait.OPAQUE
        if st is None:
            return True
        if not is_transaction_control(st.text):
            st.position = self.transaction_statements + 1
        st.wrote = self.transaction_wrote or is_write(st.text)
        self._statement = st
        rules = list(self.rules)
        for rule in rules:
            rule.observe(st)  # every rule sees every statement, whichever strikes
        for rule in rules:
            strike = rule.on_statement(self, st)
            if isinstance(strike, DelayedStrike):
                return self._forward_later(st, bytes(buf[start - 4 : start + length]), strike)
            if strike is not None:
                return self._strike(strike, st)
        return True

    @staticmethod
    def _text(buf: bytearray, start: int, length: int) -> str:
        return bytes(buf[start : start + min(length, 65536)]).decode("utf-8", "replace")

    def _strike(self, strike: Strike | ErrorStrike, st: Statement) -> bool | bytes:
        log.info("mysql toxic strikes %s on %r", getattr(strike, "value", "error"), st.text[:80])
        if strike is Strike.LOSE:
            self.cut_link("statement lost before the server")
            return False
        if strike is Strike.CUT_AT_ANSWER:
            self._cut_at_answer = True
            return True
        assert isinstance(strike, ErrorStrike)
        if strike.effect == "rollback":
            # The server really rolls the transaction back; its OK is swallowed and the
            # injected error is the client's answer.
            self._swallow = strike
            return p.com_query("ROLLBACK")
        self.wait = Wait.NOTHING
        self._statement = None
        self.reply(strike.error.packet(1))
        if strike.effect == "close":
            self.cut_link(f"closed after injected error {strike.error.code}")
        return False

    def _forward_later(self, st: Statement, packet: bytes, strike: DelayedStrike) -> bool:
        """Close the client's side now; the statement goes to the server later, its answer
        closes the rest. The client's end of stream must not close the server's side first:
        the server would roll back the transaction the statement is still on its way to end."""
        links = self.connection.links
        if links is None:
            return True
        log.info(
            "mysql toxic closes the client's side; %r follows in %.3f s",
            st.text[:40],
            strike.seconds,
        )
        self._client_gone = True
        self._cut_at_answer = True  # whatever answer the server gives is dropped, link cut
        links[Direction.UPSTREAM].hold_eof()
        links[Direction.DOWNSTREAM].feed_eof()
        asyncio.get_running_loop().call_later(strike.seconds, self._forward_late, packet)
        return False

    def _forward_late(self, packet: bytes) -> None:
        if not self.cut:
            self._deliver(Direction.UPSTREAM, packet)

    def _login(self, buf: bytearray, start: int, length: int) -> bool:
        caps = int.from_bytes(buf[start : start + 4], "little") if length >= 4 else 0
        self.caps = caps & (self.server_caps or 0xFFFFFFFF)
        self.phase = Phase.AUTH
        if not caps & p.CLIENT_PROTOCOL_41:
            self._pass_through("a pre-4.1 client")
        elif caps & p.CLIENT_SSL:
            self._pass_through("TLS: the client asked for CLIENT_SSL")
        self.deprecate_eof = bool(self.caps & p.CLIENT_DEPRECATE_EOF)
        return True

    def _track(self, status: int) -> None:
        self.status = status
        self.in_transaction = bool(status & p.SERVER_STATUS_IN_TRANS)
        self.autocommit = bool(status & p.SERVER_STATUS_AUTOCOMMIT)

    def _end(self, status: int, error: bool) -> bool:
        """A response packet that may end the answer (OK, ERR, a result set's terminator)."""
        self._track(status)
        if not error and status & p.SERVER_MORE_RESULTS_EXISTS:
            self.wait = Wait.RESULT  # another result of a multi-statement follows
            return True
        self.wait = Wait.NOTHING
        st, self._statement = self._statement, None
        swallow, self._swallow = self._swallow, None
        if not self.in_transaction:
            self.transaction_statements = 0
            self.transaction_wrote = False
        elif st is not None and not error:
            if st.position:
                self.transaction_statements = st.position
            self.transaction_wrote = st.wrote
        if swallow is not None:
            self.reply(swallow.error.packet(1))
            return False
        if st is None:
            return True
        if self._cut_at_answer:
            self.cut_link(f"answer to {st.text[:40]!r} dropped")
            return False
        for rule in list(self.rules):
            strike = rule.on_answer(self, st, status, error)
            if strike is Strike.CUT_AT_ANSWER:
                self.cut_link(f"answer to {st.text[:40]!r} dropped")
                return False
            if strike is Strike.CUT_AFTER_ANSWER:
                self._cut_at_next_command = True
                return True
        return True
