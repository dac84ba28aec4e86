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

import pymysql
from flask import Flask
from mysql_chaos_apps.flask_app import build_from_env, settings_from_env
from mysql_chaos_apps.seed_schema import (
    ACCOUNTS,
    INITIAL_BALANCE,
    TLS_MODES,
    TLSDefaultSettings,
    ensure_schema,
    settings_with_tls,
)

from chaos.errors import UsageError


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


__all__ = [
    "ACCOUNTS",
    "INITIAL_BALANCE",
    "TLS_MODES",
    "TLSDefaultSettings",
    "app",
    "build",
    "ensure_schema",
    "settings_with_tls",
]

app = build()
