"""The seed's app as an ASGI module: ``app`` is built from the environment at import.

Serve it with uvicorn (on a socket only you can reach, as the suite does)::

    MYSQL_CHAOS_STRATEGY=aiomysql-safe MYSQL_CHAOS_DSN=mysql://app:pw@127.0.0.1:3306/test \\
        uvicorn --uds "$XDG_RUNTIME_DIR/seed.sock" mysql_chaos_apps.asgi:app

The environment, the schema and ``MYSQL_CHAOS_TLS`` are those of :mod:`mysql_chaos_apps.wsgi`.
"""

from __future__ import annotations

import os
import sys

import pymysql
from mysql_chaos_apps.asgi_app import build_from_env
from mysql_chaos_apps.flask_app import settings_from_env
from mysql_chaos_apps.seed_schema import ensure_schema, settings_with_tls
from starlette.applications import Starlette

from chaos.errors import UsageError


def build() -> Starlette:
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
