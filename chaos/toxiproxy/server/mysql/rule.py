"""The base of protocol toxics: a pass-through stage that registers a rule with the session.

A protocol toxic does its work in the connection's :class:`WireSession`, which sees both
directions as packets; its stage in the link only passes bytes on. Toxicity is honoured as for
any toxic: a link whose roll says no runs a noop and this rule is never registered there.

Matching (shared by every protocol toxic): ``match`` is a regular expression (RE2 syntax, see
``mysql.pattern``: linear time, refused at creation when RE2 cannot compile it) searched in the
statement text, case-insensitive (empty: any statement); ``transaction`` is ``in``, ``out`` or
``any`` (the server's SERVER_STATUS_IN_TRANS before the statement); ``count`` is how many times
the toxic strikes over all links of its proxy (0: every time), so a fault strikes once;
``position`` (when > 0) is the statement's place among the work statements of the open
transaction (1: the first after BEGIN; BEGIN, COMMIT, SET and the like are not counted);
``writes`` (when 1) limits the toxic to work that changes data: a write statement (INSERT,
UPDATE, DELETE, ...) or a later statement of the transaction it is in, COMMIT included. A read
running beside the transfers is then never the one struck, whichever link reaches the proxy
first: the fault keeps its verdict when clients run concurrently. ``transaction_match`` (when
set, a pattern like ``match``) limits the toxic to a transaction in which some statement matched
it, this one or one before it in the open transaction: a workload says what its judged work
looks like on the wire (a transfer's writes to its tables), so the strike lands on that work and
not on other writes of the same client (an idempotency key or an audit row a read writes).

The API shows a protocol toxic's ``strikes`` (how often it struck, over every link) beside its
attributes, read-only: a fault reads it to say whether it reached the client at all.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, ClassVar

from chaos.toxiproxy.server.mysql.model import DelayedStrike, ErrorStrike, Statement, Strike
from chaos.toxiproxy.server.mysql.pattern import (
    PatternError,
    compile_pattern,
    pattern_matches,
)
from chaos.toxiproxy.server.mysql.session import WireSession
from chaos.toxiproxy.server.toxics.base import Toxic, ToxicStub


@dataclass
class ProtocolToxic(Toxic):
    match: str = ""
    transaction: str = "any"
    count: int = 1
    position: int = 0
    writes: int = 0
    transaction_match: str = ""

    protocol: ClassVar[bool] = True
    attribute_kinds: ClassVar[dict[str, str]] = {
        "match": "string",
        "transaction": "string",
        "transaction_match": "string",
    }
    #: Strikes so far, shared by the instances of one toxic on every link (set by its spec).
    shared: dict[str, Any] = field(default_factory=dict, init=False, repr=False)
    #: A statement of this link's open transaction matched ``transaction_match``.
    transaction_matched: bool = field(default=False, init=False, repr=False)

    @classmethod
    def check_attributes(cls, attributes: dict[str, Any]) -> None:
        for name in ("match", "transaction_match"):
            if attributes.get(name):
                try:
                    compile_pattern(attributes[name])
                except PatternError as e:
                    raise ValueError(f"attribute {name}: {e}") from None

    async def pipe(self, stub: ToxicStub) -> None:
        session: WireSession = stub.wire_session()
        session.rules.append(self)
        try:
            self.attached(session)
            while (chunk := await stub.receive()) is not None:
                stub.send(chunk)
        except asyncio.CancelledError:
            raise
        finally:
            if self in session.rules:
                session.rules.remove(self)
        stub.close()

    def attached(self, session: WireSession) -> None:
        """Called when the rule starts on a connection."""

    # -- matching -------------------------------------------------------------------------------

    def observe(self, st: Statement) -> None:
        """Every statement of the link, before any rule acts on it: what the transaction did."""
        if self.transaction_match:
            # A statement the server saw outside a transaction starts a new one.
            earlier = self.transaction_matched and st.in_transaction
            self.transaction_matched = earlier or pattern_matches(self.transaction_match, st.text)

    def matches(self, st: Statement, in_transaction: bool | None = None) -> bool:
        state = st.in_transaction if in_transaction is None else in_transaction
        if (self.transaction == "in" and not state) or (self.transaction == "out" and state):
            return False
        if self.position > 0 and st.position != self.position:
            return False
        if self.writes and not st.wrote:
            return False
        if self.match and not pattern_matches(self.match, st.text):
            return False
        if self.transaction_match and not self.transaction_matched:
            return False
        return self.count <= 0 or self.shared.get("strikes", 0) < self.count

    @property
    def strikes(self) -> int:
        """How often this toxic struck, over every link of its proxy (read-only)."""
        return int(self.shared.get("strikes", 0))

    def strike(self) -> None:
        self.shared["strikes"] = self.strikes + 1

    # -- the session's hooks (see session.Rule) -------------------------------------------------

    def on_statement(
        self, session: WireSession, st: Statement
    ) -> Strike | ErrorStrike | DelayedStrike | None:
        return None

    def on_answer(
        self, session: WireSession, st: Statement, status: int, error: bool
    ) -> Strike | None:
        return None


COMMIT = r"^\s*commit\b"


@dataclass
class CommitToxic(ProtocolToxic):
    """A protocol toxic that strikes a COMMIT (inside a transaction) with ``strike_with``."""

    match: str = COMMIT
    transaction: str = "in"

    strike_with: ClassVar[Strike] = Strike.LOSE

    def on_statement(self, session: WireSession, st: Statement) -> Strike | None:
        if not self.matches(st):
            return None
        self.strike()
        return self.strike_with
