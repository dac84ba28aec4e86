"""``mysql_cut`` (an extension of Toxiproxy's API): cut the link after the k-th statement of a
transaction.

The answer to the ``statements``-th work statement of a transaction (BEGIN, COMMIT, SET and the
like are not counted) reaches the client; the next command the client sends on that link (the
next statement, a COM_PING) is not forwarded and both sockets close. The client reads end of
stream, as if the link had died between the two; the server rolls the transaction back when the
session dies. The close happens on the client's command, not right after the answer, so it is a
FIN whatever the timing (closing a socket with the command unread would send RST). With
``refuse`` the proxy then acts down: links opened after the strike close at once until the
toxic is removed (an outage that begins exactly at the cut, with no window for a reconnect).
With ``new_links`` only links opened after the toxic was added are struck (the first
transaction on a link made by a reconnect). With ``transaction_match`` the cut comes after the
first statement, from the ``statements``-th on, once the transaction has matched: work the
transaction did before (an idempotency key written first) moves the cut later instead of
sparing the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chaos.toxiproxy.server.mysql.model import Phase, Statement, Strike
from chaos.toxiproxy.server.mysql.packets import SERVER_STATUS_IN_TRANS as SERVER_IN_TRANS
from chaos.toxiproxy.server.mysql.rule import ProtocolToxic
from chaos.toxiproxy.server.mysql.session import WireSession
from chaos.toxiproxy.server.toxics.base import TOXICS


@TOXICS.register("mysql_cut")
@dataclass
class MysqlCutToxic(ProtocolToxic):
    statements: int = 1
    transaction: str = "in"
    refuse: int = 0  # 1: once struck, links opened later close at once until it is removed
    new_links: int = 0  # 1: links that were open when the toxic came are never struck
    #: This link was opened after the toxic came (it met the toxic before its handshake ended).
    opened_after: bool = field(default=False, init=False, repr=False)

    @classmethod
    def refuses_link(cls, attributes: dict[str, Any], shared: dict[str, Any]) -> bool:
        return bool(attributes.get("refuse")) and shared.get("strikes", 0) > 0

    def attached(self, session: WireSession) -> None:
        self.opened_after = session.phase is not Phase.COMMAND

    def on_answer(
        self, session: WireSession, st: Statement, status: int, error: bool
    ) -> Strike | None:
        in_transaction = bool(status & SERVER_IN_TRANS)
        if error or not st.position or (self.new_links and not self.opened_after):
            return None
        wanted = max(self.statements, 1)
        if st.position < wanted or (st.position > wanted and not self.transaction_match):
            return None
        if not self.matches(st, in_transaction):
            return None
        self.strike()
        return Strike.CUT_AFTER_ANSWER
