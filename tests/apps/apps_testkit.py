"""Helpers for the strategy and app tests: an admin session, insert units, outcome labels.

(A module with a unique name, not conftest: test directories here have no ``__init__.py``.)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pymysql
import pytest

from chaos.settings import ConnectionSettings
from chaos.strategy import Connection, UnitOfWork

ER_NO_SUCH_THREAD = 1094


def wait_until(predicate: Callable[[], bool], what: str, timeout: float = 5.0) -> None:
    """Poll ``predicate`` until it holds; fail the test with ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() >= deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.01)


class AdminSession:
    """The test's own autocommit connection, outside the test database.

    ``settings`` are the server's admin settings: it lists and kills the strategy's sessions as
    a DBA would, which the unprivileged client account may not do for another account.
    """

    def __init__(self, settings: ConnectionSettings, database: str) -> None:
        self.database = database
        self.conn = pymysql.connect(**settings.pymysql_kwargs(autocommit=True, database=None))

    def query(self, sql: str, args: Any = None) -> list[tuple[Any, ...]]:
        with self.conn.cursor() as cursor:
            cursor.execute(sql, args)
            return list(cursor.fetchall())

    def sessions(self) -> dict[int, str | None]:
        """Every session the server lists: id -> current database.

        ``SHOW PROCESSLIST``, not ``information_schema.PROCESSLIST``: MariaDB 10.11.19
        crashed twice (SIGSEGV in ha_maria::drop_table, freeing the on-disk temporary
        table that the information_schema query materialises) while these tests polled it.
        """
        rows = self.query("SHOW PROCESSLIST")
        return {int(row[0]): row[3] for row in rows}

    def connection_ids(self) -> list[int]:
        """Sessions in the test database (the strategy's), oldest first."""
        own = self.conn.thread_id()
        return sorted(i for i, db in self.sessions().items() if db == self.database and i != own)

    def is_present(self, thread_id: int) -> bool:
        return thread_id in self.sessions()

    def kill(self, thread_id: int) -> None:
        """``KILL CONNECTION`` a session of the test database and wait until it is gone."""
        database = self.sessions().get(thread_id, self.database)
        assert database == self.database, f"{thread_id} is not this test's session"
        try:
            self.query(f"KILL CONNECTION {int(thread_id)}")
        except pymysql.err.MySQLError as e:
            if e.args[0] != ER_NO_SUCH_THREAD:  # already gone: closing on its own
                raise
        wait_until(lambda: not self.is_present(thread_id), f"session {thread_id} to go")

    def kill_all(self) -> list[int]:
        ids = self.connection_ids()
        for thread_id in ids:
            self.kill(thread_id)
        return ids

    def wait_no_connections(self) -> None:
        wait_until(lambda: not self.connection_ids(), f"no sessions left in {self.database}")

    def item_ids(self) -> list[int]:
        return [
            int(r[0]) for r in self.query(f"SELECT id FROM `{self.database}`.items ORDER BY id")
        ]

    def close(self) -> None:
        self.conn.close()


@dataclass
class InsertUnits:
    """Units that insert rows into ``items`` and count what their hooks saw."""

    admin: AdminSession
    body_calls: int = 0
    read_backs: int = 0
    killed: list[int] = field(default_factory=list)

    def insert(
        self,
        *ids: int,
        kill_after: int | None = None,
        kills: int = 1,
        was_applied: Callable[[Connection], bool] | str | None = "real",
    ) -> UnitOfWork:
        """Insert ``ids`` in one transaction.

        ``kill_after=k`` kills the unit's own session from the admin connection after the k-th
        insert (``k == len(ids)``: between the body and COMMIT), in the first ``kills`` runs.
        """

        def body(conn: Connection) -> tuple[int, ...]:
            self.body_calls += 1
            cursor = conn.cursor()
            for index, item in enumerate(ids, start=1):
                cursor.execute("INSERT INTO items (id) VALUES (%s)", (item,))
                if index == kill_after and len(self.killed) < kills:
                    cursor.execute("SELECT CONNECTION_ID()")
                    own_id = int(cursor.fetchone()[0])
                    self.killed.append(own_id)
                    self.admin.kill(own_id)
            return ids

        def real_was_applied(conn: Connection) -> bool:
            self.read_backs += 1
            cursor = conn.cursor()
            cursor.execute("SELECT COUNT(*) FROM items WHERE id = %s", (ids[0],))
            return int(cursor.fetchone()[0]) > 0

        check = real_was_applied if was_applied == "real" else was_applied
        return UnitOfWork(op_id=f"insert-{'-'.join(map(str, ids))}", body=body, was_applied=check)


def outcome(call: Callable[[], Any]) -> str:
    """``"ok"`` or the error as ``Class(code)``: what a measured behaviour table compares."""
    try:
        call()
    except Exception as e:
        code = e.args[0] if e.args and isinstance(e.args[0], int) else ""
        return f"{type(e).__name__}({code})"
    return "ok"
