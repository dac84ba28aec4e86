"""``mysql_close`` (an extension of Toxiproxy's API): the server closes its sessions.

When the toxic is added, every link of its proxy in the command phase is closed, as a server
does on a graceful shutdown or on an idle timeout; links opened later are left alone. With a
``code``, an unsolicited ERR packet (sequence id 0, as a server sends outside any command's
answer) goes first: MySQL >= 8.0.24 sends 4031 before closing an idle connection. With
``idle_only`` only links with no command in flight are closed (an idle timeout); otherwise a
link in a query is closed too, its answer never arrives. MariaDB 10.11, measured, sends no
packet on shutdown to a session idle or in a query: ``code`` 0 sends nothing.

Its ``strikes`` are the links it closed, counted as it closes each; the API answers the add
after the toxic has met every live link, so a read right after is the whole count. The close is
one event per link: the toxic restarted there (a neighbouring toxic added or removed) closes
nothing, so a link opened after the event stays open, and uncounted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from chaos.toxiproxy.server.mysql.model import Phase
from chaos.toxiproxy.server.mysql.packets import err_packet
from chaos.toxiproxy.server.mysql.rule import ProtocolToxic
from chaos.toxiproxy.server.mysql.session import WireSession
from chaos.toxiproxy.server.toxics.base import TOXICS


@TOXICS.register("mysql_close")
@dataclass
class MysqlCloseToxic(ProtocolToxic):
    code: int = 0
    state: str = "HY000"
    message: str = ""
    idle_only: int = 0
    count: int = 0
    #: The toxic has started on this link before: the event is over for it.
    met: bool = field(default=False, init=False, repr=False)

    attribute_kinds: ClassVar[dict[str, str]] = {
        **ProtocolToxic.attribute_kinds,
        "state": "string",
        "message": "string",
    }

    def attached(self, session: WireSession) -> None:
        if self.met:
            return
        self.met = True
        if session.phase is not Phase.COMMAND or session.passthrough or session.cut:
            return  # opened after the event, or not seen into
        if self.idle_only and not session.idle:
            return
        if self.count > 0 and self.shared.get("strikes", 0) >= self.count:
            return
        self.strike()
        if self.code:
            session.reply(err_packet(self.code, self.state, self.message, 0))
        session.cut_link(f"server closed the session (error {self.code or 'none'})")
