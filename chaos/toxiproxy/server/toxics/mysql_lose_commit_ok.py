"""``mysql_lose_commit_ok`` (an extension of Toxiproxy's API): a COMMIT's OK never arrives.

The matching COMMIT goes to the server; when its answer reaches the proxy (so the transaction
certainly committed) the answer is dropped and both sockets close. The client reads end of
stream with its transaction applied.
"""

from __future__ import annotations

from dataclasses import dataclass

from chaos.toxiproxy.server.mysql.model import Statement, Strike
from chaos.toxiproxy.server.mysql.rule import COMMIT, ProtocolToxic
from chaos.toxiproxy.server.mysql.session import WireSession
from chaos.toxiproxy.server.toxics.base import TOXICS


@TOXICS.register("mysql_lose_commit_ok")
@dataclass
class MysqlLoseCommitOkToxic(ProtocolToxic):
    match: str = COMMIT
    transaction: str = "in"

    def on_statement(self, session: WireSession, st: Statement) -> Strike | None:
        if not self.matches(st):
            return None
        self.strike()
        return Strike.CUT_AT_ANSWER
