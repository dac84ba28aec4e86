"""``mysql_login_error`` (an extension of Toxiproxy's API): the server refuses the login.

A link that opens while the toxic is present gets, as its first packet, a well-formed MySQL ERR
packet (sequence id 0, where the server's greeting would be), then end of stream: the server's
own bytes on that link are discarded. A server refuses a connection this way when it is full
(1040 Too many connections) or has blocked the client's host (1129). It answers a wrong
password (1045 Access denied) later, after the client's login packet, with sequence id 2; the
client's driver raises the same error either way (PyMySQL: ``OperationalError(1045, ...)``), so
the toxic answers every code first, which needs no knowledge of the authentication exchange.

Live links are never touched: the toxic acts only where :meth:`started` ran (the link opened
with the toxic present), so sessions already logged in go on working while new logins fail.
It belongs on the ``downstream`` stream (server to client); on ``upstream`` it would send the
packet to the server. ``state`` and ``message`` empty: those the server sends with ``code``.

Its ``strikes`` count the logins it refused, over every link of its proxy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from chaos.toxiproxy.server.mysql.packets import err_packet
from chaos.toxiproxy.server.stream import Chunk
from chaos.toxiproxy.server.toxics.base import TOXICS, Toxic, ToxicStub

#: What MariaDB and MySQL send with each login error: (SQLSTATE, message).
SERVER_TEXT = {
    1040: ("08004", "Too many connections"),
    1045: ("28000", "Access denied for user (using password: YES)"),
    1129: (
        "HY000",
        "Host '127.0.0.1' is blocked because of many connection errors; "
        "unblock with 'mariadb-admin flush-hosts'",
    ),
}


@TOXICS.register("mysql_login_error")
@dataclass
class MysqlLoginErrorToxic(Toxic):
    code: int = 1040
    state: str = ""
    message: str = ""
    #: This link opened while the toxic was present: its login is refused.
    opened_with: bool = field(default=False, init=False, repr=False)

    counts_strikes: ClassVar[bool] = True
    attribute_kinds: ClassVar[dict[str, str]] = {"state": "string", "message": "string"}

    @classmethod
    def check_attributes(cls, attributes: dict[str, object]) -> None:
        code = attributes.get("code", 1040)
        if not isinstance(code, int) or not 1 <= code <= 0xFFFF:
            raise ValueError("attribute code: a MySQL error number, 1 to 65535")

    def started(self) -> None:
        self.opened_with = True

    def error_packet(self) -> bytes:
        state, message = SERVER_TEXT.get(self.code, ("HY000", f"Login refused ({self.code})"))
        return err_packet(self.code, self.state or state, self.message or message, 0)

    async def pipe(self, stub: ToxicStub) -> None:
        if self.opened_with:
            self.strike()
            stub.send(Chunk(self.error_packet(), stub.now()))
            stub.close()  # what the server sent is discarded; the client reads EOF
            return
        while (chunk := await stub.receive()) is not None:
            stub.send(chunk)
        stub.close()
