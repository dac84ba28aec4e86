"""The suite's own disposable MariaDB, and the guard that keeps the suite self-contained.

Every test that only needs a database gets it from ``mysql_chaos_server``, the pytest plugin's
disposable server (chaos/pytest_plugin): one :class:`LocalServer` for the whole session, started
on first use and stopped at the end. Each test makes its own
throw-away database on it (``make_database``), created and granted to the unprivileged client
account through the admin connection (root over the Unix socket), and dropped afterwards with
every session still in it killed. Clients always connect as ``server.settings`` (TCP, the
account a real application would have); admin work (CREATE DATABASE, GRANT, KILL of another
account's session, SHOW PROCESSLIST of everyone) goes through ``server.admin_settings``.

Tests that kill, restart, freeze or reconfigure the server keep a server of their own.

The guard (tests/server_guard.py): a skip whose reason says a server is missing fails the test
instead. The suite owns its servers, so such a skip can only mean a test went looking for one it
does not own.
"""

from __future__ import annotations

import contextlib
import re
import secrets
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace

import pymysql
import pytest
from server_guard import fail_a_missing_server_skip

from chaos.servers.local import LocalServer
from chaos.settings import ConnectionSettings

pytest_plugins = ["pytester"]  # tests/test_self_contained.py runs the guard on a tiny suite

_SAFE_PREFIX = re.compile(r"[a-z0-9_]{1,40}")


def _admin_connect(server: LocalServer) -> pymysql.Connection:
    return pymysql.connect(**server.admin_settings.pymysql_kwargs(autocommit=True, database=None))


def client_account(server: LocalServer) -> str:
    """The client account as the server names it (``'app'@'%'``), asked of the server itself,
    so that nothing here depends on how the server's accounts are made."""
    conn = pymysql.connect(**server.settings.pymysql_kwargs(database=None))
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT CURRENT_USER()")
            user, _, host = str(cursor.fetchone()[0]).rpartition("@")
    finally:
        conn.close()
    return f"'{user}'@'{host}'"


def kill_sessions_in(server: LocalServer, database: str) -> list[int]:
    """KILL every session whose current database is ``database``; their ids.

    Only that database's sessions: other tests' sessions on the shared server are left alone.
    """
    killed = []
    conn = _admin_connect(server)
    try:
        with conn.cursor() as cursor:
            # SHOW PROCESSLIST, not information_schema: see chaos.servers.base.
            cursor.execute("SHOW PROCESSLIST")
            for row in cursor.fetchall():
                if row[3] != database:
                    continue
                with contextlib.suppress(pymysql.err.OperationalError):  # ended meanwhile
                    cursor.execute(f"KILL CONNECTION {int(row[0])}")
                    killed.append(int(row[0]))
    finally:
        conn.close()
    return killed


@dataclass(frozen=True)
class DatabaseMaker:
    """Makes throw-away databases on one server, each usable by the client account only."""

    server: LocalServer
    account: str

    @contextlib.contextmanager
    def __call__(self, prefix: str = "mchaos_t_") -> Iterator[ConnectionSettings]:
        """Client settings pointed at a new empty database ``<prefix><random hex>``."""
        if not _SAFE_PREFIX.fullmatch(prefix):
            raise ValueError(f"database prefix must be 1..40 of [a-z0-9_]: {prefix!r}")
        name = f"{prefix}{secrets.token_hex(6)}"
        self._admin(
            f"CREATE DATABASE `{name}`", f"GRANT ALL PRIVILEGES ON `{name}`.* TO {self.account}"
        )
        try:
            yield replace(self.server.settings, database=name)
        finally:
            # A failed test may leave sessions behind, holding metadata locks on its tables.
            kill_sessions_in(self.server, name)
            self._admin(
                f"DROP DATABASE IF EXISTS `{name}`",
                f"REVOKE ALL PRIVILEGES ON `{name}`.* FROM {self.account}",
            )

    def _admin(self, *statements: str) -> None:
        conn = _admin_connect(self.server)
        try:
            with conn.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)
        finally:
            conn.close()


@pytest.fixture(scope="session")
def make_database(
    mysql_chaos_server: LocalServer,
) -> Callable[[str], AbstractContextManager[ConnectionSettings]]:
    """``with make_database("prefix_") as settings:`` a throw-away database on the suite server."""
    return DatabaseMaker(mysql_chaos_server, client_account(mysql_chaos_server))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    report = yield
    fail_a_missing_server_skip(report)
    return report
