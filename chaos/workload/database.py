"""A throw-away database for one cell (or one test): created on entry, dropped on exit.

Cells that run side by side against one server each need their own bank; a random name keeps
them apart, and the drop runs on every exit path so nothing is left behind.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import pymysql

from chaos.settings import ConnectionSettings

log = logging.getLogger(__name__)

_SAFE_PREFIX = re.compile(r"[A-Za-z0-9_]{1,48}")


@contextmanager
def scratch_database(
    admin: ConnectionSettings, prefix: str = "mchaos_"
) -> Iterator[ConnectionSettings]:
    """Yield ``admin`` pointed at a new empty database ``<prefix><random hex>``."""
    if not _SAFE_PREFIX.fullmatch(prefix):
        raise ValueError(f"database prefix must be 1..48 of [A-Za-z0-9_]: {prefix!r}")
    name = f"{prefix}{secrets.token_hex(6)}"
    _execute(admin, f"CREATE DATABASE `{name}`")
    log.debug("created database %s", name)
    try:
        yield replace(admin, database=name)
    finally:
        _execute(admin, f"DROP DATABASE IF EXISTS `{name}`")
        log.debug("dropped database %s", name)


def _execute(admin: ConnectionSettings, statement: str) -> None:
    # No default database: the one in ``admin`` may not exist, and must not be needed.
    conn = pymysql.connect(**admin.pymysql_kwargs(database=None, autocommit=True))
    try:
        with conn.cursor() as cursor:
            cursor.execute(statement)
    finally:
        conn.close()
