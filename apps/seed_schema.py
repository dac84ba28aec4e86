"""What the seed's app needs before it serves, whichever server runs it (WSGI or ASGI).

The seed's ``city`` table (London is #312) and the bank's tables, made when missing so a restart
keeps the data; and ``MYSQL_CHAOS_TLS``: ``off`` (the default, as every bundled strategy) or
``default`` (pymysql's own default: TLS when the server offers it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pymysql
from mysql_chaos_apps.flask_app import setup_city_table

from chaos.errors import UsageError
from chaos.settings import ConnectionSettings
from chaos.workload.bank import create_schema

TLS_MODES = ("off", "default")

#: Accounts the transfer endpoint starts with when it creates the bank.
ACCOUNTS = 8
INITIAL_BALANCE = 1000


@dataclass(frozen=True)
class TLSDefaultSettings(ConnectionSettings):
    """Settings that leave TLS to pymysql's default instead of disabling it."""

    def pymysql_kwargs(self, **overrides: Any) -> dict[str, Any]:
        kwargs = super().pymysql_kwargs(**overrides)
        if "ssl_disabled" not in overrides:
            del kwargs["ssl_disabled"]
        return kwargs


def settings_with_tls(settings: ConnectionSettings, tls: str) -> ConnectionSettings:
    """``settings`` with TLS ``off`` (unchanged) or left to pymysql's ``default``."""
    if tls not in TLS_MODES:
        raise UsageError(f"MYSQL_CHAOS_TLS must be one of {', '.join(TLS_MODES)}, got {tls!r}")
    if tls == "off":
        return settings
    return TLSDefaultSettings(**settings.to_dict())


def ensure_schema(settings: ConnectionSettings) -> None:
    """Create the city table and the bank's tables unless they exist; safe to run again."""
    conn = pymysql.connect(**settings.pymysql_kwargs(autocommit=False))
    try:
        setup_city_table(conn)
        with conn.cursor() as cursor:
            cursor.execute("SHOW TABLES LIKE 'accounts'")
            has_bank = cursor.fetchone() is not None
        if not has_bank:
            create_schema(conn, accounts=ACCOUNTS, initial_balance=INITIAL_BALANCE)
    finally:
        conn.close()
