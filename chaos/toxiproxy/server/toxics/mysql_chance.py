"""``mysql_chance`` (an extension of Toxiproxy's API): cut the link after a statement's answer
with a probability, decided by a seed and the statement alone.

A matching work statement (see :mod:`chaos.toxiproxy.server.mysql.rule`; by default any
statement that writes; never BEGIN, COMMIT, SET and the like) is answered, and the link is then
cut at the client's next command, as ``mysql_cut`` cuts it, when the toss
``coin_falls(seed, text, occurrence)`` is below ``probability``: ``text`` is the statement as
sent (a prepared statement's with its arguments), ``occurrence`` how often the same came
before, over every link of the proxy. No clock and no order of arrival enters the decision,
so a workload whose statements name their operation (a transfer's op id is in its statements)
meets the same cuts on every replay, however its workers interleave; a retried statement (the
same text again) tosses again.
``count`` (default 0: no limit) bounds the strikes as for every protocol toxic.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, ClassVar

from chaos.toxiproxy.server.limits import MAX_CHANCE_STATEMENTS
from chaos.toxiproxy.server.mysql.model import Statement, Strike
from chaos.toxiproxy.server.mysql.packets import SERVER_STATUS_IN_TRANS
from chaos.toxiproxy.server.mysql.rule import ProtocolToxic
from chaos.toxiproxy.server.mysql.session import WireSession
from chaos.toxiproxy.server.toxics.base import TOXICS


def coin_falls(seed: int, text: str, occurrence: int) -> float:
    """A number in [0, 1) that depends on nothing but its arguments (the same on every run and
    platform): the toss for the ``occurrence``-th sending (0: the first) of ``text``."""
    digest = hashlib.sha256(f"{seed}\x00{occurrence}\x00{text}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def statement_identity(st: Statement) -> str:
    """What the toss is made of besides the seed: the text, and a prepared statement's
    arguments (its text is the same for every execution; the op id is in the arguments)."""
    return st.text if not st.arguments else f"{st.text}\x00{st.arguments.hex()}"


@TOXICS.register("mysql_chance")
@dataclass
class MysqlChanceToxic(ProtocolToxic):
    probability: float = 0.0
    seed: int = 0
    count: int = 0
    transaction: str = "any"
    writes: int = 1

    attribute_kinds: ClassVar[dict[str, str]] = {
        **ProtocolToxic.attribute_kinds,
        "probability": "float32",
    }

    @classmethod
    def check_attributes(cls, attributes: dict[str, Any]) -> None:
        super().check_attributes(attributes)
        probability = attributes.get("probability", 0.0)
        if not 0.0 <= float(probability) <= 1.0:
            raise ValueError(f"attribute probability: {probability} is not between 0 and 1")

    def on_answer(
        self, session: WireSession, st: Statement, status: int, error: bool
    ) -> Strike | None:
        # Work statements only: COMMIT, BEGIN or SET read the same on every link, so how often
        # one came before would depend on the order the links reached the proxy.
        if error or not st.position:
            return None
        if not self.matches(st, bool(status & SERVER_STATUS_IN_TRANS)):
            return None
        seen: dict[bytes, int] = self.shared.setdefault("seen", {})
        if len(seen) >= MAX_CHANCE_STATEMENTS:
            seen.clear()
        identity = statement_identity(st)
        key = hashlib.sha256(identity.encode()).digest()
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        if coin_falls(self.seed, identity, occurrence) >= self.probability:
            return None
        self.strike()
        return Strike.CUT_AFTER_ANSWER
