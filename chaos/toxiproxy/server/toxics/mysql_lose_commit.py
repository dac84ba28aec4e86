"""``mysql_lose_commit`` (an extension of Toxiproxy's API): a COMMIT never reaches the server.

The matching COMMIT (``match`` defaults to COMMIT, inside a transaction) is not forwarded and
both sockets close: the client waiting for its answer reads end of stream, and the server rolls
the transaction back when the session dies. The client cannot know which happened.
"""

from __future__ import annotations

from typing import ClassVar

from chaos.toxiproxy.server.mysql.model import Strike
from chaos.toxiproxy.server.mysql.rule import CommitToxic
from chaos.toxiproxy.server.toxics.base import TOXICS


@TOXICS.register("mysql_lose_commit")
class MysqlLoseCommitToxic(CommitToxic):
    strike_with: ClassVar[Strike] = Strike.LOSE
