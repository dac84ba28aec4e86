"""Fixtures for the plugin's own tests: the suite's server reached by URL, as an external one."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator

import pytest

from chaos.servers.base import MySQLServer
from chaos.settings import ConnectionSettings


@pytest.fixture(scope="module")
def external_account_url(mysql_chaos_server: MySQLServer) -> Iterator[str]:
    """``--mysql-chaos-server-url`` for an inner run: an account on the suite's server like a CI
    service container's: a database of its own, the databases the runner makes per test
    (``mchaos_cell_*``) and CONNECTION ADMIN (to kill sessions), nothing else; dropped after."""
    name = f"plugin_{secrets.token_hex(4)}"
    password = secrets.token_urlsafe(16)
    account = f"'{name}'@'{mysql_chaos_server.settings.host}'"
    with contextlib.closing(mysql_chaos_server.admin_connect()) as admin, admin.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}`")
        cursor.execute(f"CREATE USER {account} IDENTIFIED BY %s", (password,))
        cursor.execute(f"GRANT ALL PRIVILEGES ON `{name}`.* TO {account}")
        cursor.execute(f"GRANT CONNECTION ADMIN ON *.* TO {account}")
        cursor.execute(f"GRANT ALL PRIVILEGES ON `mchaos\\_cell\\_%`.* TO {account}")
        try:
            settings = ConnectionSettings(
                host=mysql_chaos_server.settings.host,
                port=mysql_chaos_server.settings.port,
                user=name,
                password=password,
                database=name,
            )
            yield settings.url(scheme="mysql")
        finally:
            cursor.execute(f"DROP USER IF EXISTS {account}")
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
