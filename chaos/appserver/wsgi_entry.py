"""The module an app server loads (uWSGI, gunicorn, uvicorn): the secrets, then the app itself.

A process's environment is in ``/proc/PID/environ`` for as long as it runs. So the run does not
start the server with the database password in it: the secret variables (``MYSQL_CHAOS_DSN``,
``MYSQL_CHAOS_PASSWORD``) are in a 0600 file in the server's 0700 work directory, named by
``MYSQL_CHAOS_SECRETS_FILE``. Loading this module, before the app is imported, copies them into
``os.environ``, so the app reads its ``MYSQL_CHAOS_*`` variables as documented, while the
environment the process was started with (what ``/proc/PID/environ`` shows; ``setenv`` puts the
new strings elsewhere) holds no password. ``MYSQL_CHAOS_WSGI_APP`` names the app
(``module:attribute``, WSGI or ASGI), served as this module's ``app``; a WSGI server given an ASGI
app ends with one line that says so (the run then serves it with uvicorn).

"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import sys
from typing import Any

from chaos.appserver.app_server import (
    APP_VARIABLE,
    ASGI_UNDER_WSGI,
    SECRETS_FILE_VARIABLE,
    SERVER_VARIABLE,
    WSGI_SERVERS,
)


def is_asgi(app: Any) -> bool:
    """An ASGI 3 app is awaited (``async def __call__(scope, receive, send)``); WSGI's is not."""
    return inspect.iscoroutinefunction(app) or inspect.iscoroutinefunction(type(app).__call__)


def load_app() -> Any:
    """The secrets into ``os.environ``, then the app named by ``MYSQL_CHAOS_WSGI_APP``."""
    path = os.environ.pop(SECRETS_FILE_VARIABLE, "")
    if path:
        with open(path, encoding="utf-8") as secrets:
            os.environ.update(json.load(secrets))
    spec = os.environ[APP_VARIABLE]
    module_name, _, attribute = spec.partition(":")
    app = getattr(importlib.import_module(module_name), attribute)
    if os.environ.get(SERVER_VARIABLE) in WSGI_SERVERS and is_asgi(app):
        print(f"{spec} {ASGI_UNDER_WSGI}: serve it with uvicorn", file=sys.stderr, flush=True)
        raise SystemExit(2)
    return app


# Only a server started for an app names one: importing this module elsewhere (as the layer test
# imports every module) loads nothing. uWSGI reads ``app`` from the module's dict, so it is set
# at import rather than computed on access.
if APP_VARIABLE in os.environ:
    app = load_app()
