"""A cell on an external server: a database of its own, and nothing to undo when it was refused."""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import Iterator

import pymysql
import pytest

from chaos.faults import FAULTS
from chaos.runner.environment import Backend, CellEnvironment
from chaos.servers.base import MySQLServer
from chaos.settings import ConnectionSettings


@pytest.fixture
def account_without_create(mysql_chaos_server: MySQLServer) -> Iterator[str]:
    """A URL for an account that may use its own database and create no other."""
    name = f"nocreate_{secrets.token_hex(4)}"
    password = secrets.token_urlsafe(16)
    account = f"'{name}'@'{mysql_chaos_server.settings.host}'"
    with contextlib.closing(mysql_chaos_server.admin_connect()) as admin, admin.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}`")
        cursor.execute(f"CREATE USER {account} IDENTIFIED BY %s", (password,))
        cursor.execute(f"GRANT ALL PRIVILEGES ON `{name}`.* TO {account}")
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


def test_a_refused_cell_database_is_the_error_and_cleanup_is_quiet(
    account_without_create: str, caplog: pytest.LogCaptureFixture
) -> None:
    environment = CellEnvironment(
        FAULTS.get("kill-connection"), Backend(external_url=account_without_create)
    )
    with caplog.at_level(logging.WARNING), pytest.raises(pymysql.err.OperationalError) as raised:
        environment.start()
    assert raised.value.args[0] == 1044  # access denied to the cell's database
    assert [r.getMessage() for r in caplog.records if "cleanup" in r.getMessage()] == []
