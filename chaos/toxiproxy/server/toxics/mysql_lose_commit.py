"""``mysql_lose_commit`` (an extension of Toxiproxy's API): a COMMIT never reaches the server.

The matching COMMIT (``match`` defaults to COMMIT, inside a transaction) is not forwarded and
both sockets close: the client waiting for its answer reads end of stream, and the server rolls
the transaction back when the session dies. The client cannot know which happened.
"""

from __future__ import annotations

from dataclasses import dataclass

from chaos.toxiproxy.server.mysql.model import Statement, Strike
from chaos.toxiproxy.server.mysql.rule import COMMIT, ProtocolToxic
from chaos.toxiproxy.server.mysql.session import WireSession
from chaos.toxiproxy.server.toxics.base import TOXICS


@TOXICS.register("mysql_lose_commit")
@dataclass
class MysqlLoseCommitToxic(ProtocolToxic):
    match: str = COMMIT
    transaction: str = "in"

    def on_statement(self, session: WireSession, st: Statement) -> Strike | None:
        if not self.matches(st):
            return None
        self.strike()
        return Strike.LOSE
