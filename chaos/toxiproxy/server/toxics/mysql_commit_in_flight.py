"""``mysql_commit_in_flight`` (an extension of Toxiproxy's API): the client loses its link while
its COMMIT is still on the way to the server.

When the matching COMMIT (``match`` defaults to COMMIT, inside a transaction) reaches the
proxy, the client's side is closed at once (it reads end of stream while waiting for the
answer) and the COMMIT is forwarded to the server ``delay`` milliseconds later; the server's
answer is dropped and the link closed. Meanwhile the server session is alive, its transaction
open with its row locks held: a client that reconnects and reads back with a plain (non-locking)
SELECT reads before the COMMIT lands and sees "not applied"; a locking read, or one that first
waits for the old session to end, sees the truth. A session killed before the delay is over
never commits: the late COMMIT meets a closed socket.
"""

from __future__ import annotations

from dataclasses import dataclass

from chaos.toxiproxy.server.mysql.model import DelayedStrike, Statement
from chaos.toxiproxy.server.mysql.rule import CommitToxic
from chaos.toxiproxy.server.mysql.session import WireSession
from chaos.toxiproxy.server.toxics.base import TOXICS


@TOXICS.register("mysql_commit_in_flight")
@dataclass
class MysqlCommitInFlightToxic(CommitToxic):
    delay: int = 500  # milliseconds between the client's close and the COMMIT's arrival

    def on_statement(self, session: WireSession, st: Statement) -> DelayedStrike | None:
        if not self.matches(st):
            return None
        self.strike()
        return DelayedStrike(max(self.delay, 0) / 1000)
