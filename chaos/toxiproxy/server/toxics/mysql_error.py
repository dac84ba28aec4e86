"""``mysql_error`` (an extension of Toxiproxy's API): answer a statement with an injected ERR.

The server session is left as the real error leaves it (``effect``, by default from ``code``):

- ``rollback`` (1213 deadlock, 1614 and the like): InnoDB rolls the whole transaction back, so
  ROLLBACK is sent to the server in the statement's place, its OK swallowed, and the ERR is the
  client's answer once the rollback is done;
- ``statement`` (1205 lock wait timeout and any other code): only the statement fails, so it is
  not forwarded; the transaction stays open;
- ``close`` (1927 connection killed, 1053 shutdown, 4031 inactivity, 2013-class codes): the ERR
  is sent, then both sockets close.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from chaos.toxiproxy.server.mysql.model import ErrorStrike, Statement
from chaos.toxiproxy.server.mysql.packets import ErrSpec
from chaos.toxiproxy.server.mysql.rule import ProtocolToxic
from chaos.toxiproxy.server.mysql.session import WireSession
from chaos.toxiproxy.server.toxics.base import TOXICS

ROLLBACK_CODES = frozenset({1213, 1614})
CLOSE_CODES = frozenset({1053, 1927, 4031, 1152, 1158, 1159, 1160, 1161})
EFFECTS = ("auto", "statement", "rollback", "close")


def effect_of(code: int, effect: str) -> str:
    if effect in EFFECTS[1:]:
        return effect
    if code in ROLLBACK_CODES:
        return "rollback"
    return "close" if code in CLOSE_CODES else "statement"


@TOXICS.register("mysql_error")
@dataclass
class MysqlErrorToxic(ProtocolToxic):
    code: int = 1213
    state: str = "40001"
    message: str = "Deadlock found when trying to get lock; try restarting transaction"
    effect: str = "auto"

    attribute_kinds: ClassVar[dict[str, str]] = {
        **ProtocolToxic.attribute_kinds,
        "state": "string",
        "message": "string",
        "effect": "string",
    }

    def on_statement(self, session: WireSession, st: Statement) -> ErrorStrike | None:
        if not self.matches(st):
            return None
        self.strike()
        error = ErrSpec(self.code, self.state, self.message)
        return ErrorStrike(error, effect_of(self.code, self.effect))
