"""``mysql_cut`` (an extension of Toxiproxy's API): cut the link after the k-th statement of a
transaction.

Statements are counted when their answer reaches the proxy with SERVER_STATUS_IN_TRANS set
(BEGIN, COMMIT, SET and the like do not count), over every link of the proxy. At the
``statements``-th matching one the answer is dropped and both sockets close: the server ran the
statement, the client waits for its answer and reads end of stream, and the server rolls the
transaction back when the session dies.
"""

from __future__ import annotations

from dataclasses import dataclass

from chaos.toxiproxy.server.mysql.packets import SERVER_STATUS_IN_TRANS as SERVER_IN_TRANS
from chaos.toxiproxy.server.mysql.rule import ProtocolToxic, is_transaction_control
from chaos.toxiproxy.server.mysql.session import Statement, WireSession
from chaos.toxiproxy.server.toxics.base import TOXICS


@TOXICS.register("mysql_cut")
@dataclass
class MysqlCutToxic(ProtocolToxic):
    statements: int = 1
    transaction: str = "in"

    def on_answer(self, session: WireSession, st: Statement, status: int, error: bool) -> bool:
        in_transaction = bool(status & SERVER_IN_TRANS)
        if error or is_transaction_control(st.text) or not self.matches(st, in_transaction):
            return False
        seen = self.shared.get("seen", 0) + 1
        self.shared["seen"] = seen
        if seen < max(self.statements, 1):
            return False
        self.shared["seen"] = 0
        self.strike()
        return True
