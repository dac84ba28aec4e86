"""What the MySQL session and the protocol toxics share: phases, strikes, statements.

Below both: the session consults rules through ``session.Rule``, the toxics import the session.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from chaos.toxiproxy.server.mysql import packets as p

_CONTROL = re.compile(
    r"^\s*(begin|start\s+transaction|commit|rollback|xa\s|savepoint|release\s|set\s)", re.I
)


_WRITE = re.compile(r"^\s*(insert|update|delete|replace|merge|load\s+data|call)\b", re.I)


def is_write(text: str) -> bool:
    """INSERT, UPDATE, DELETE and the like: a statement that changes data (or may: CALL)."""
    return _WRITE.match(text) is not None


def is_transaction_control(text: str) -> bool:
    """BEGIN, COMMIT, ROLLBACK, SET ...: not a statement of the transaction's work."""
    return _CONTROL.match(text) is not None


class Phase(enum.Enum):
    GREETING = "greeting"  # the server's initial handshake is next
    LOGIN = "login"  # the client's handshake response is next
    AUTH = "auth"  # authentication exchange until the server's OK or ERR
    COMMAND = "command"


class Wait(enum.Enum):
    """What the server sends next."""

    NOTHING = "nothing"  # no command in flight: a packet now is unsolicited (4031, 1053)
    RESULT = "result"  # OK, ERR, LOCAL INFILE request, or a result set's column count
    COLUMNS = "columns"  # column definitions, then a classic EOF marker or the rows
    ROWS = "rows"  # rows until the 0xFE terminator or an ERR
    ONE = "one"  # one packet: OK, ERR or EOF (COM_PING, COM_INIT_DB, ...)
    FIELDS = "fields"  # COM_FIELD_LIST: definitions until EOF
    PREPARE = "prepare"  # COM_STMT_PREPARE_OK or ERR
    DEFINITIONS = "definitions"  # a prepared statement's parameter and column definitions
    AUTH = "auth"  # COM_CHANGE_USER: an authentication exchange
    OPAQUE = "opaque"  # a command whose answer is not framed here: passed on as it is


class Strike(enum.Enum):
    """What a rule does with a statement."""

    LOSE = "lose"  # never reaches the server; the link is cut
    CUT_AT_ANSWER = "cut-at-answer"  # reaches the server; its answer is dropped, link cut
    CUT_AFTER_ANSWER = "cut-after-answer"  # answered; the client's next command cuts the link
    ERROR = "error"  # answered with an injected ERR (see ErrorStrike)


@dataclass(frozen=True, slots=True)
class DelayedStrike:
    """The client's side closes now; the statement reaches the server ``seconds`` later, and
    the link closes when its answer comes (a COMMIT still in flight when the client lost it)."""

    seconds: float


@dataclass(frozen=True, slots=True)
class ErrorStrike:
    error: p.ErrSpec
    effect: str  # "statement": not forwarded; "rollback": ROLLBACK in its place; "close"


@dataclass(slots=True)
class Statement:
    """A COM_QUERY or COM_STMT_EXECUTE on its way to the server."""

    text: str
    command: int
    in_transaction: bool  # as the server reported it before this statement
    position: int = 0  # its place among the work statements of the open transaction (1 = first)
    #: It writes, or a statement before it in the open transaction did: the COMMIT of a
    #: read-only transaction, or a read, never has it.
    wrote: bool = False
    #: A COM_STMT_EXECUTE's bytes after the statement id (flags, parameter types and values;
    #: the first 64 KiB): what tells two executions of one prepared statement apart.
    arguments: bytes = b""
