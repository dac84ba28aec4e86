"""``mysql_cut`` (an extension of Toxiproxy's API): cut the link after the k-th statement of a
transaction.

When the answer to the ``statements``-th work statement of a transaction (BEGIN, COMMIT, SET
and the like are not counted) reaches the proxy with SERVER_STATUS_IN_TRANS set, the answer is
dropped and both sockets close: the server ran the statement, the client waiting for its answer
reads end of stream, and the server rolls the transaction back when the session dies. With
``refuse`` the proxy then acts down: links opened after the strike close at once until the
toxic is removed (an outage that begins exactly at the cut, with no window for a reconnect).
"""

from __future__ import annotations

from dataclasses import dataclass

from chaos.toxiproxy.server.mysql.packets import SERVER_STATUS_IN_TRANS as SERVER_IN_TRANS
from chaos.toxiproxy.server.mysql.rule import ProtocolToxic
from chaos.toxiproxy.server.mysql.session import Phase, Statement, WireSession
from chaos.toxiproxy.server.toxics.base import TOXICS


@TOXICS.register("mysql_cut")
@dataclass
class MysqlCutToxic(ProtocolToxic):
    statements: int = 1
    transaction: str = "in"
    refuse: int = 0  # 1: once struck, links opened later close at once until it is removed

    def attached(self, session: WireSession) -> None:
        if self.refuse and self.shared.get("strikes", 0) and session.phase is Phase.GREETING:
            session.cut_link("refused: the outage after a cut")

    def on_answer(self, session: WireSession, st: Statement, status: int, error: bool) -> bool:
        in_transaction = bool(status & SERVER_IN_TRANS)
        if error or st.position != max(self.statements, 1):
            return False
        if not self.matches(st, in_transaction):
            return False
        self.strike()
        return True
