"""``mysql_lose_commit_ok`` (an extension of Toxiproxy's API): a COMMIT's OK never arrives.

The matching COMMIT goes to the server; when its answer reaches the proxy (so the transaction
certainly committed) the answer is dropped and both sockets close. The client reads end of
stream with its transaction applied.
"""

from __future__ import annotations

from typing import ClassVar

from chaos.toxiproxy.server.mysql.model import Strike
from chaos.toxiproxy.server.mysql.rule import CommitToxic
from chaos.toxiproxy.server.toxics.base import TOXICS


@TOXICS.register("mysql_lose_commit_ok")
class MysqlLoseCommitOkToxic(CommitToxic):
    strike_with: ClassVar[Strike] = Strike.CUT_AT_ANSWER
