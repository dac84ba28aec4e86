"""The seed's app as a WSGI module: ``app`` is built from the environment at import.

Serve it as the seed did::

    MYSQL_CHAOS_STRATEGY=per-request MYSQL_CHAOS_DSN=mysql://app:pw@127.0.0.1:3306/test \\
        uwsgi --http 127.0.0.1:8080 --module mysql_chaos_apps.wsgi:app --master \\
        --processes 1 --threads 16

or ``gunicorn --threads 16 mysql_chaos_apps.wsgi:app``. Besides what
:func:`mysql_chaos_apps.flask_app.build_from_env` reads, ``MYSQL_CHAOS_TLS`` chooses TLS: ``off``
(the default, as every bundled strategy) or ``default`` (pymysql's own default: TLS when the
server offers it, which builds a fresh SSLContext per connect). Before serving, the module
creates the seed's ``city`` table (London is #312) and the bank's tables when they are missing,
so a restart keeps the data.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Any

import pymysql
from flask import Flask
from mysql_chaos_apps.flask_app import build_from_env, settings_from_env, setup_city_table

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


def build() -> Flask:
    """Schema first, then the app; bad configuration is one line on stderr and exit 2."""
    try:
        settings = settings_with_tls(settings_from_env(), os.environ.get("MYSQL_CHAOS_TLS", "off"))
        ensure_schema(settings)
        return build_from_env(settings)
    except UsageError as e:
        print(f"{__name__}: {e}", file=sys.stderr)
        raise SystemExit(2) from None
    except pymysql.MySQLError as e:
        print(
            f"{__name__}: cannot create the schema on {settings.describe()}: {e}", file=sys.stderr
        )
        raise SystemExit(2) from None


app = build()
