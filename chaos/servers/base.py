"""What every server backend offers: connection settings and the verbs that need only SQL.

Backends that own the process (:class:`~chaos.servers.local.LocalServer`) add the process verbs;
those that do not (:class:`~chaos.servers.external.ExternalServer`) refuse them with
:class:`~chaos.errors.CapabilityMissingError`, which callers turn into a skip.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from typing import Any

import pymysql

from chaos.errors import CapabilityMissingError, ServerError, UsageError
from chaos.lifecycle import Resource
from chaos.settings import ConnectionSettings

_UNKNOWN_THREAD = 1094
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class MySQLServer(Resource, ABC):
    """A MySQL/MariaDB server the suite can talk to."""

    #: True when this backend can stop, kill and freeze the server process.
    controls_process: bool = False

    @property
    @abstractmethod
    def settings(self) -> ConnectionSettings:
        """Where clients connect (TCP)."""

    @property
    def admin_settings(self) -> ConnectionSettings:
        """Where the suite's own admin session connects (defaults to :attr:`settings`)."""
        return self.settings

    def _start(self) -> None:
        """Start the server, if this backend owns it."""

    def stop(self) -> None:
        """Stop the server, if this backend owns it."""

    def admin_connect(self, **overrides: Any) -> pymysql.Connection:
        try:
            return pymysql.connect(
                **self.admin_settings.pymysql_kwargs(autocommit=True, **overrides)
            )
        except pymysql.err.MySQLError as e:
            raise ServerError(f"cannot connect to {self.describe()}: {e}") from e

    def query(self, sql: str, args: Any = None) -> list[tuple[Any, ...]]:
        """Run one statement on a fresh admin connection and return its rows."""
        conn = self.admin_connect()
        try:
            with conn.cursor() as cursor:
                cursor.execute(sql, args)
                return list(cursor.fetchall())
        finally:
            conn.close()

    def set_global(self, name: str, value: int | str) -> None:
        """``SET GLOBAL name = value`` (new sessions see it; running ones keep theirs)."""
        if not _IDENTIFIER.match(name):
            raise UsageError(f"not a server variable name: {name!r}")
        self.query(f"SET GLOBAL {name} = %s", (value,))

    def get_global(self, name: str) -> str:
        if not _IDENTIFIER.match(name):
            raise UsageError(f"not a server variable name: {name!r}")
        return str(self.query(f"SELECT @@GLOBAL.{name}")[0][0])

    def kill_connection(self, connection_id: int, missing_ok: bool = False) -> bool:
        """``KILL CONNECTION id`` from an admin session, as a DBA or a tool would.

        With ``missing_ok``, a session that ended by itself meanwhile (1094) is not an error.
        Returns whether the session was killed (False: it had ended by itself).
        """
        try:
            self.query("KILL CONNECTION %s", (int(connection_id),))
        except ServerError:
            raise
        except pymysql.err.OperationalError as e:
            if not (missing_ok and e.args[0] == _UNKNOWN_THREAD):
                raise
            return False
        return True

    def client_connection_ids(self, database: str | None = None) -> list[int]:
        """Ids of sessions other than the caller's admin session (optionally in one database).

        ``SHOW PROCESSLIST`` rather than ``information_schema.PROCESSLIST``: on MariaDB 10.11 the
        latter builds a temporary table whose teardown was seen to crash the server when a
        session was being killed at the same time.
        """
        conn = self.admin_connect()
        try:
            with conn.cursor() as cursor:
                cursor.execute("SELECT CONNECTION_ID()")
                own = cursor.fetchone()[0]
                cursor.execute("SHOW PROCESSLIST")
                rows = cursor.fetchall()
        finally:
            conn.close()
        # Columns: Id, User, Host, db, Command, ...
        return sorted(
            int(row[0])
            for row in rows
            if int(row[0]) != own
            and row[4] != "Daemon"
            and row[1] != "system user"
            and (database is None or row[3] == database)
        )

    # Process verbs: only backends that own the process implement these.
    def restart(self) -> None:
        raise CapabilityMissingError(f"{self.describe()}: cannot restart a server it does not own")

    def kill(self, restart: bool = True) -> None:
        raise CapabilityMissingError(f"{self.describe()}: cannot kill a server it does not own")

    def freeze(self) -> None:
        raise CapabilityMissingError(f"{self.describe()}: cannot freeze a server it does not own")

    def thaw(self) -> None:
        raise CapabilityMissingError(f"{self.describe()}: cannot thaw a server it does not own")

    @abstractmethod
    def describe(self) -> str:
        """One line for messages: which server this is."""
