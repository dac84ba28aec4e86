"""TCP accounts made on the suite's server for one test or module, as a CI service would have."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator

from chaos.servers.base import MySQLServer
from chaos.settings import ConnectionSettings


@contextlib.contextmanager
def scratch_account(server: MySQLServer, prefix: str, *grants: str) -> Iterator[ConnectionSettings]:
    """An account ``<prefix><hex>`` with every privilege on a database of the same name, plus
    ``grants`` (``"CONNECTION ADMIN ON *.*"``); the account and its database are dropped after."""
    name = f"{prefix}{secrets.token_hex(4)}"
    password = secrets.token_urlsafe(16)
    account = f"'{name}'@'{server.settings.host}'"
    with contextlib.closing(server.admin_connect()) as admin, admin.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE `{name}`")
        cursor.execute(f"CREATE USER {account} IDENTIFIED BY %s", (password,))
        for grant in (f"ALL PRIVILEGES ON `{name}`.*", *grants):
            cursor.execute(f"GRANT {grant} TO {account}")
        try:
            yield ConnectionSettings(
                host=server.settings.host,
                port=server.settings.port,
                user=name,
                password=password,
                database=name,
            )
        finally:
            cursor.execute(f"DROP USER IF EXISTS {account}")
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
