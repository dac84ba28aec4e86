"""Which errors mean "the connection is lost", and which are answers from a live server.

Strategies and the checker share this one table. Each entry also says whether the statement in
flight may still have run on the server: that is the line between a safe retry and a possible
double-apply (Go's database/sql retries only when the server cannot have performed the statement).

It knows the errors of every driver in :mod:`chaos.drivers`: PyMySQL's and mysqlclient's
``args[0]``, mysql-connector-python's ``errno`` (its C extension's raw ``_mysql_connector``
errors too), and the few errors without a code that still mean "connection lost". A driver is
never imported here: its error classes are looked up only once the driver is loaded, since an
error of a driver that was never imported cannot exist.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from types import ModuleType

import pymysql

from chaos.drivers import SessionReplacedError


@dataclass(frozen=True)
class ErrorKind:
    """One row of the taxonomy."""

    code: int | None
    name: str
    meaning: str
    disconnect: bool
    # True when the server may have executed the statement that was in flight.
    may_have_run: bool


_BY_CODE: dict[int, ErrorKind] = {
    kind.code: kind
    for kind in (
        ErrorKind(
            1040, "ER_CON_COUNT_ERROR", "too many connections: refused at connect", True, False
        ),
        ErrorKind(1053, "ER_SERVER_SHUTDOWN", "server shutdown in progress", True, True),
        ErrorKind(1152, "ER_ABORTING_CONNECTION", "server aborted the connection", True, True),
        ErrorKind(1927, "ER_CONNECTION_KILLED", "MariaDB: connection was killed", True, True),
        ErrorKind(
            2002,
            "CR_CONNECTION_ERROR",
            "C client (mysqlclient): cannot connect to the server",
            True,
            False,
        ),
        ErrorKind(2003, "CR_CONN_HOST_ERROR", "cannot connect to the server", True, False),
        ErrorKind(
            2006,
            "CR_SERVER_GONE_ERROR",
            "server has gone away: the request was not sent",
            True,
            False,
        ),
        ErrorKind(
            2013, "CR_SERVER_LOST", "lost connection during query: reply never arrived", True, True
        ),
        ErrorKind(
            2014, "CR_COMMANDS_OUT_OF_SYNC", "commands out of sync: protocol state lost", True, True
        ),
        ErrorKind(
            2045,
            "CR_NAMEDPIPE_OPEN_ERROR",
            "cannot open the named pipe / shared memory",
            True,
            False,
        ),
        ErrorKind(2055, "CR_SERVER_LOST_EXTENDED", "lost connection at a named stage", True, True),
        ErrorKind(
            4031,
            "ER_CLIENT_INTERACTION_TIMEOUT",
            "MySQL >= 8.0.24: disconnected for exceeding wait_timeout",
            True,
            False,
        ),
        # Answers from a live server: the connection is fine, the statement was refused.
        ErrorKind(1062, "ER_DUP_ENTRY", "duplicate key: an answer, not a disconnect", False, False),
        ErrorKind(1205, "ER_LOCK_WAIT_TIMEOUT", "lock wait timeout: an answer", False, False),
        ErrorKind(
            1213, "ER_LOCK_DEADLOCK", "deadlock, transaction rolled back: an answer", False, False
        ),
        ErrorKind(
            1290, "ER_OPTION_PREVENTS_STATEMENT", "server is read-only: an answer", False, False
        ),
    )
    if kind.code is not None
}

USE_AFTER_CLOSE = ErrorKind(
    0,
    "USE_AFTER_CLOSE",
    "InterfaceError(0, ''): the client already closed this connection",
    True,
    False,
)
ALREADY_CLOSED = ErrorKind(
    None,
    "ALREADY_CLOSED",
    "pymysql 'Already closed': ping or close on a closed connection",
    True,
    False,
)
SOCKET_ERROR = ErrorKind(
    None, "SOCKET_ERROR", "raw socket error outside pymysql's wrapping", True, True
)
# mysql-connector-python's errors without a server or client code (errno -1).
CONNECTION_NOT_AVAILABLE = ErrorKind(
    None,
    "CONNECTION_NOT_AVAILABLE",
    "mysql-connector: 'MySQL Connection not available': lost or closed, nothing was sent",
    True,
    False,
)
CONNECTOR_READ_TIMEOUT = ErrorKind(
    None,
    "CONNECTOR_READ_TIMEOUT",
    "mysql-connector ReadTimeoutError: no reply within read_timeout; the connection is closed",
    True,
    True,
)
CONNECTOR_WRITE_TIMEOUT = ErrorKind(
    None,
    "CONNECTOR_WRITE_TIMEOUT",
    "mysql-connector WriteTimeoutError: the request was not sent in full; connection closed",
    True,
    False,
)
CONNECTOR_CONNECT_TIMEOUT = ErrorKind(
    None,
    "CONNECTOR_CONNECT_TIMEOUT",
    "mysql-connector ConnectionTimeoutError: no connection within connect_timeout",
    True,
    False,
)
SESSION_REPLACED = ErrorKind(
    None,
    "SESSION_REPLACED",
    "the driver reconnected silently (mysql-connector's C extension): the old session and its "
    "transaction are gone, the new one has the server's defaults",
    True,
    True,
)
#: The messages of mysql-connector's errno -1 errors raised for a connection already lost or
#: closed: by ``cursor()`` (whose ping failed), a command on a closed socket, or ``ping()``.
_NOT_AVAILABLE = ("MySQL Connection not available", "Connection to MySQL is not available")


def disconnect_codes() -> frozenset[int]:
    """Codes that mean the connection is lost."""
    return frozenset(code for code, kind in _BY_CODE.items() if kind.disconnect)


def known_codes() -> dict[int, ErrorKind]:
    return dict(_BY_CODE)


def _unwrap(exc: BaseException) -> BaseException:
    """SQLAlchemy wraps driver errors in ``.orig``; look at the driver's own error."""
    seen = 0
    while seen < 5:
        orig = getattr(exc, "orig", None)
        if not isinstance(orig, BaseException):
            return exc
        exc, seen = orig, seen + 1
    return exc


def _loaded_classes(module: str, *names: str) -> tuple[type, ...]:
    """Classes of ``module`` if it is already imported, else none (never imports it)."""
    loaded = sys.modules.get(module)
    return tuple(getattr(loaded, name) for name in names if hasattr(loaded, name))


def _connector_error(exc: BaseException) -> bool:
    """mysql-connector-python's errors, and its C extension's raw ones (``MySQLInterfaceError``
    escapes unwrapped from ``commit()`` and ``rollback()`` of ``use_pure=False``)."""
    classes = _loaded_classes("mysql.connector.errors", "Error")
    classes += _loaded_classes("_mysql_connector", "MySQLError")
    return bool(classes) and isinstance(exc, classes)


def error_code(exc: BaseException) -> int | None:
    """The error's MySQL code (server or client), whichever driver raised it."""
    exc = _unwrap(exc)
    by_args = (pymysql.err.MySQLError, *_loaded_classes("MySQLdb._exceptions", "MySQLError"))
    if isinstance(exc, by_args) and exc.args and isinstance(exc.args[0], int):
        return exc.args[0]
    if _connector_error(exc):
        errno = getattr(exc, "errno", None)
        return errno if isinstance(errno, int) and errno > 0 else None
    return _async_driver_code(exc)


def _connector_kind(exc: BaseException) -> ErrorKind | None:
    """The rows only mysql-connector's exception classes and messages tell apart."""
    # By class first: a timeout's errno is 3024, which from a server means a statement that
    # hit max_execution_time on a live connection.
    for name, kind in (
        ("ReadTimeoutError", CONNECTOR_READ_TIMEOUT),
        ("WriteTimeoutError", CONNECTOR_WRITE_TIMEOUT),
        ("ConnectionTimeoutError", CONNECTOR_CONNECT_TIMEOUT),
    ):
        if isinstance(exc, _loaded_classes("mysql.connector.errors", name)):
            return kind
    message = str(getattr(exc, "msg", "") or "")
    if getattr(exc, "errno", None) in (-1, None) and message.startswith(_NOT_AVAILABLE):
        return CONNECTION_NOT_AVAILABLE
    return None


def classify(exc: BaseException) -> ErrorKind | None:
    """The taxonomy row for ``exc``, or ``None`` when it is not a database error we know."""
    exc = _unwrap(exc)
    if isinstance(exc, SessionReplacedError):
        return SESSION_REPLACED
    if isinstance(exc, pymysql.err.InterfaceError) and exc.args[:1] == (0,):
        return USE_AFTER_CLOSE
    if type(exc) is pymysql.err.Error and exc.args == ("Already closed",):
        return ALREADY_CLOSED
    if _connector_error(exc):
        kind = _connector_kind(exc)
        if kind is not None:
            return kind
    async_kind = _classify_async_driver(exc)
    if async_kind is not None:
        return async_kind
    code = error_code(exc)
    if code is not None:
        return _BY_CODE.get(code)
    if isinstance(exc, (ConnectionError, TimeoutError, BrokenPipeError)):
        return SOCKET_ERROR
    return None


# -- asyncio drivers -------------------------------------------------------------------------
# aiomysql raises PyMySQL's own classes (the table above holds), except for a closed connection:
# ``InterfaceError("(0, 'Not connected')")``, one string, or the reason it was closed
# ("Cancelled during execution": a task cancelled mid-statement, a timeout, closes it).
# asyncmy has its own ``asyncmy.errors`` with the same codes: ``OperationalError(2013, ...)``,
# ``InterfaceError(0, "Not connected")`` after close, ``Error("Already closed")`` from ping.
# asyncmy is optional (the ``async`` extra): without it, none of its errors can occur.

_AIOMYSQL_CLOSED = frozenset({"(0, 'Not connected')", "Cancelled during execution"})


def _asyncmy_errors() -> ModuleType | None:
    try:
        import asyncmy.errors
    except ImportError:
        return None
    return asyncmy.errors


def _async_driver_code(exc: BaseException) -> int | None:
    errors = _asyncmy_errors()
    if errors is not None and isinstance(exc, errors.MySQLError):
        if exc.args and isinstance(exc.args[0], int):
            return int(exc.args[0])
    return None


def _classify_async_driver(exc: BaseException) -> ErrorKind | None:
    """Rows for the asyncio drivers' ways of saying "closed"; None for everything else."""
    reason = exc.args[0] if exc.args else None
    if isinstance(exc, pymysql.err.InterfaceError) and reason in _AIOMYSQL_CLOSED:
        return USE_AFTER_CLOSE
    errors = _asyncmy_errors()
    if errors is None:
        return None
    if isinstance(exc, errors.InterfaceError) and exc.args[:1] == (0,):
        return USE_AFTER_CLOSE
    if type(exc) is errors.Error and exc.args == ("Already closed",):
        return ALREADY_CLOSED
    return None


def is_disconnect(exc: BaseException) -> bool:
    """True when ``exc`` means the connection is gone (retrying needs a new connection)."""
    kind = classify(exc)
    return kind is not None and kind.disconnect


def may_have_run(exc: BaseException) -> bool:
    """True unless the server certainly did not execute the statement in flight."""
    kind = classify(exc)
    return kind is None or kind.may_have_run


def describe(exc: BaseException) -> str:
    """``NAME (code): meaning`` for a report, or the exception's type for unknown errors."""
    kind = classify(exc)
    if kind is None:
        return type(_unwrap(exc)).__name__
    code = f" {kind.code}" if kind.code is not None else ""
    return f"{kind.name}{code}: {kind.meaning}"
