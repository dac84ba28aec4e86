"""The module an app server loads: the app's secrets from a file, then the app itself.

A process's environment is in ``/proc/PID/environ`` for as long as it runs. So the run does not
start the server with the database password in it: the secret variables (``MYSQL_CHAOS_DSN``,
``MYSQL_CHAOS_PASSWORD``) are in a 0600 file in the server's 0700 work directory, named by
``MYSQL_CHAOS_SECRETS_FILE``. Loading this module, before the app is imported, copies them into
``os.environ``, so the app reads its ``MYSQL_CHAOS_*`` variables as documented, while the
environment the process was started with (what ``/proc/PID/environ`` shows; ``setenv`` puts the
new strings elsewhere) holds no password. ``MYSQL_CHAOS_WSGI_APP`` names the app
(``module:attribute``), served as this module's ``app``.

"""

from __future__ import annotations

import importlib
import json
import os
from typing import Any

from chaos.appserver.app_server import APP_VARIABLE, SECRETS_FILE_VARIABLE


def load_app() -> Any:
    """The secrets into ``os.environ``, then the app named by ``MYSQL_CHAOS_WSGI_APP``."""
    path = os.environ.pop(SECRETS_FILE_VARIABLE, "")
    if path:
        with open(path, encoding="utf-8") as secrets:
            os.environ.update(json.load(secrets))
    module_name, _, attribute = os.environ[APP_VARIABLE].partition(":")
    return getattr(importlib.import_module(module_name), attribute)


# Only a server started for an app names one: importing this module elsewhere (as the layer test
# imports every module) loads nothing. uWSGI reads ``app`` from the module's dict, so it is set
# at import rather than computed on access.
if APP_VARIABLE in os.environ:
    app = load_app()
