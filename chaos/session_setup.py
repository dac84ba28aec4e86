"""The session state a run asks every client to set up, and the one SELECT that reads it back.

A reconnect that forgets what the application set on its session (isolation level, sql_mode,
time zone, character set, a user variable, a named lock) leaves a connection that works but
behaves differently: the ``drift`` invariant (:mod:`chaos.checker.drift`) catches it. The run
hands a :class:`SessionSetup` to strategies in :attr:`ConnectionSettings.session`; the settings
turn it into the driver's ``init_command``, which every driver runs again on each (re)connect,
so a client that reconnects through its driver keeps the state and one that sets it with a
``SET`` after connecting (and reconnects without running it again) loses it.

Every value differs from both servers' defaults, so a fresh session that skipped the setup reads
differently from one that ran it.

Session objects are set up by the strategy itself, since ``init_command`` is one statement: a
strategy that says it keeps them (``keeps_session_objects``) runs
:meth:`SessionSetup.object_setup` on each new connection (a temporary table, a server-side
prepared statement), and the reads then look for both (:meth:`SessionSetup.object_probes`,
one statement each: no server shows a session's own in one ``SELECT`` on both flavours). A
reconnect that skips them leaves code that relies on them reading another table or failing
on a statement it believes prepared.

The isolation level is named ``tx_isolation`` on MariaDB before 11.1 and
``transaction_isolation`` on MySQL 8+ (which dropped ``tx_isolation``): :func:`isolation_variable`
asks the server which one it knows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: The isolation level's variable, newest name first.
ISOLATION_VARIABLES = ("transaction_isolation", "tx_isolation")
#: The user variable the setup assigns (a "session variable set by init_command").
MARKER_VARIABLE = "@mysql_chaos_marker"
#: ER_UNKNOWN_SYSTEM_VARIABLE: the server does not know that variable's name.
_UNKNOWN_SYSTEM_VARIABLE = 1193
#: ER_NO_SUCH_TABLE and ER_UNKNOWN_STMT_HANDLER: the session's temporary table or prepared
#: statement is not there.
_NO_SUCH_TABLE = 1146
_UNKNOWN_STMT_HANDLER = 1243
#: How a probe records an object (``Operation.session``, beside :data:`SESSION_FIELDS`).
PRESENT, ABSENT = "present", "absent"


@dataclass(frozen=True)
class SessionSetup:
    """What each client session should hold; :meth:`init_command` establishes all of it."""

    isolation_variable: str = "transaction_isolation"
    isolation: str = "READ-COMMITTED"
    sql_mode: str = "STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION"
    time_zone: str = "+03:00"
    character_set: str = "utf8mb4"
    collation: str = "utf8mb4_bin"
    marker: str = "set-by-init-command"
    #: The named lock is per session (``GET_LOCK`` of this prefix and the session's id), so
    #: sessions never wait on each other's locks.
    lock_prefix: str = "mysql-chaos-session-"
    #: The session objects of a strategy that keeps them (:meth:`object_setup`).
    temporary_table: str = "mysql_chaos_scratch"
    prepared_statement: str = "mysql_chaos_probe"

    def __post_init__(self) -> None:
        if self.isolation_variable not in ISOLATION_VARIABLES:
            raise ValueError(f"not an isolation variable: {self.isolation_variable!r}")

    def init_command(self) -> str:
        """One SET statement (drivers run one ``init_command``, without multi-statements)."""
        return (
            f"SET NAMES '{self.character_set}' COLLATE '{self.collation}', "
            f"SESSION {self.isolation_variable} = '{self.isolation}', "
            f"SESSION sql_mode = '{self.sql_mode}', "
            f"SESSION time_zone = '{self.time_zone}', "
            f"{MARKER_VARIABLE} = '{self.marker}', "
            f"@mysql_chaos_lock = GET_LOCK({self._lock_name()}, 0)"
        )

    def select_list(self) -> str:
        """The SELECT expressions that read the state back, in :data:`SESSION_FIELDS` order."""
        return ", ".join(
            (
                "@@autocommit",
                f"@@{self.isolation_variable}",
                "@@sql_mode",
                "@@time_zone",
                "@@character_set_client",
                "@@collation_connection",
                MARKER_VARIABLE,
                f"IS_USED_LOCK({self._lock_name()}) = CONNECTION_ID()",
            )
        )

    def object_setup(self) -> tuple[str, ...]:
        """What a strategy that keeps session objects runs on each new connection, in order."""
        return (
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {self.temporary_table} (v INT)",
            f"PREPARE {self.prepared_statement} FROM 'SELECT 1'",
        )

    def object_probes(self) -> tuple[tuple[str, str, int], ...]:
        """``(field, statement, error code when the object is missing)``, one per object."""
        return (
            ("temporary_table", f"SELECT COUNT(*) FROM {self.temporary_table}", _NO_SUCH_TABLE),
            ("prepared_statement", f"EXECUTE {self.prepared_statement}", _UNKNOWN_STMT_HANDLER),
        )

    def _lock_name(self) -> str:
        return f"CONCAT('{self.lock_prefix}', CONNECTION_ID())"


#: The names a reading's values are recorded under (``Operation.session``).
SESSION_FIELDS = (
    "autocommit",
    "isolation",
    "sql_mode",
    "time_zone",
    "character_set_client",
    "collation_connection",
    "init_command_variable",
    "holds_named_lock",
)


def reading(values: Any) -> dict[str, str | None]:
    """A row of :meth:`SessionSetup.select_list`'s values (a tuple or a dict row), by field."""
    row = tuple(values.values()) if isinstance(values, dict) else tuple(values)
    if len(row) != len(SESSION_FIELDS):
        raise ValueError(f"a session reading has {len(SESSION_FIELDS)} values, not {len(row)}")
    return {name: _text(value) for name, value in zip(SESSION_FIELDS, row, strict=True)}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes | bytearray):
        return value.decode("utf-8", "replace")
    return str(value)


def isolation_variable(conn: Any) -> str:
    """The isolation variable's name that the server behind ``conn`` (a DB-API connection) knows."""
    for name in ISOLATION_VARIABLES:
        try:
            with conn.cursor() as cursor:
                cursor.execute(f"SELECT @@{name}")
                cursor.fetchall()
        except Exception as e:  # any driver: the code says whether the name is unknown
            if getattr(e, "args", (None,))[0] != _UNKNOWN_SYSTEM_VARIABLE:
                raise
            continue
        return name
    raise RuntimeError(f"the server knows none of {', '.join(ISOLATION_VARIABLES)}")
