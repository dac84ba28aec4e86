"""What an app cell serves: the seed's app with one strategy, or any WSGI app a user names.

The app is only ever named (``module:app``) and configured through environment variables, so
``chaos`` never imports it. The seed's app is found through the entry point group
``mysql_chaos.apps`` (name ``seed``, :func:`chaos.strategy.registry.wsgi_apps`).

Environment variables every app gets (``MYSQL_CHAOS_*``) in its ``os.environ``:

- ``DSN``: ``mysql://user:password@host:port/database`` (the proxy, or the server itself);
- ``HOST``, ``PORT``, ``USER``, ``PASSWORD``, ``DATABASE``: the same, one by one;

``DSN`` and ``PASSWORD`` are :func:`app_secrets`: the server process is not started with them in
its environment, the app gets them from a file at import (``chaos.appserver.wsgi_entry``);
- ``CONNECT_TIMEOUT``, ``READ_TIMEOUT``, ``WRITE_TIMEOUT``: the seconds the suite's own
  strategies get (the seed's ignore them; a user's app may use them or not);
- ``RECYCLE_SECONDS``, ``IDLE_SECONDS``: the seed's one-hour recycle and eight-hour
  ``wait_timeout``, scaled to 0.125 s and 1 s.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from chaos.appmode.user_load import HttpRequest
from chaos.appserver.app_server import AppServer
from chaos.errors import ServerError, UsageError, one_line
from chaos.runner.app_timing import AppTiming
from chaos.servers.local import LocalServer
from chaos.settings import ConnectionSettings
from chaos.strategy.loading import import_object
from chaos.strategy.registry import wsgi_apps

SEED_APP = "seed"
#: The seed app's read: its own endpoint, as in the seed's benchmark.
SEED_READ_PATH = "/?city=London"

#: ``db_check(settings)`` returns or raises; it fails by raising or by returning ``False``.
DatabaseCheck = Callable[[ConnectionSettings], object]


@dataclass(frozen=True)
class AppUnderTest:
    """``name`` is the matrix row (a strategy's name, or the user's ``module:app``)."""

    name: str
    module: str
    #: The seed's app: the bank workload over HTTP, judged from the database too. Otherwise
    #: ``GET path`` (and the user's writes) is the workload and only HTTP is judged (plus
    #: ``db_check``).
    bank: bool
    path: str = SEED_READ_PATH
    env: Mapping[str, str] = field(default_factory=dict)
    db_check: DatabaseCheck | None = None
    #: The user's app is imported from here (its server starts here).
    cwd: str | None = None
    #: A user's app: the requests sent beside ``GET path`` (``check-app --request``), or the
    #: ``module:function`` that sends them (``--load``); see :mod:`chaos.appmode.user_load`.
    requests: tuple[HttpRequest, ...] = ()
    load: str | None = None


def seed_app_module() -> str:
    """``module:app`` of the seed's app, from its entry point (never imported here)."""
    return wsgi_apps().get(SEED_APP)


def seed_app(strategy: str, module: str | None = None) -> AppUnderTest:
    """The seed's app serving ``strategy`` (a registered name)."""
    return AppUnderTest(
        name=strategy,
        module=module or seed_app_module(),
        bank=True,
        env={"MYSQL_CHAOS_STRATEGY": strategy},
    )


def app_process_environment(app: AppUnderTest) -> dict[str, str]:
    """``app.env``, and the app's directory first on ``PYTHONPATH`` when it has one."""
    env = dict(app.env)
    if app.cwd:
        inherited = os.environ.get("PYTHONPATH")
        env["PYTHONPATH"] = app.cwd + (os.pathsep + inherited if inherited else "")
    return env


def app_secrets(settings: ConnectionSettings) -> dict[str, str]:
    """The ``MYSQL_CHAOS_*`` variables that hold the password."""
    return {
        "MYSQL_CHAOS_DSN": settings.url(scheme="mysql"),
        "MYSQL_CHAOS_PASSWORD": settings.password,
    }


def app_environment(settings: ConnectionSettings, timing: AppTiming) -> dict[str, str]:
    """The other ``MYSQL_CHAOS_*`` variables of the module docstring."""
    env = {
        "MYSQL_CHAOS_HOST": settings.host,
        "MYSQL_CHAOS_PORT": str(settings.port),
        "MYSQL_CHAOS_USER": settings.user,
        "MYSQL_CHAOS_DATABASE": settings.database,
        "MYSQL_CHAOS_RECYCLE_SECONDS": str(timing.recycle_seconds),
        "MYSQL_CHAOS_IDLE_SECONDS": str(timing.idle_seconds),
    }
    for name, seconds in timing.client_timeouts.items():
        env[f"MYSQL_CHAOS_{name.upper()}"] = str(seconds)
    return env


def check_path(path: str) -> str:
    """``path`` is a request target (``/x?y=z``), or a :class:`UsageError` says why not."""
    parts = urlsplit(path)
    if not path.startswith("/") or parts.scheme or parts.netloc or any(c.isspace() for c in path):
        raise UsageError(f"--url must be a path on the app, like /health?x=1, got {path!r}")
    return path


def check_wsgi_spec(spec: str) -> str:
    """``module:app`` whose module can be found here, without importing (running) it."""
    module_name, sep, attribute = spec.partition(":")
    if not sep or not module_name or not attribute:
        raise UsageError(f"the app must look like 'module:app', got {spec!r}")
    try:
        found = importlib.util.find_spec(module_name)
    except (ImportError, ValueError) as e:
        raise UsageError(f"cannot import {module_name!r} for {spec!r}: {one_line(e)}") from e
    if found is None:
        raise UsageError(
            f"cannot import {module_name!r} for {spec!r}: no such module here ({os.getcwd()}) "
            "or among the installed packages"
        )
    return spec


def load_db_check(spec: str) -> DatabaseCheck:
    """Import ``module:function`` (the user's database check) and return it if callable."""
    target = import_object(spec, what="--db-check", shape="module:function")
    if not callable(target):
        raise UsageError(f"--db-check {spec}: a {type(target).__name__}, not a function")
    return target  # type: ignore[no-any-return]


def preflight(app: AppUnderTest, wsgi_server: str) -> None:
    """Serve ``app`` once against a disposable server: it must answer ``app.path`` with 2xx.

    A user's app that cannot be imported, has no such attribute, or does not serve the path
    is one line before any cell runs, not the same error in every cell.
    """
    with LocalServer(name="check-app-preflight") as server:
        env = {**app_environment(server.settings, AppTiming()), **app_process_environment(app)}
        try:
            AppServer(
                app.module,
                env,
                server=wsgi_server,
                cwd=app.cwd,
                ready_path=app.path,
                secrets=app_secrets(server.settings),
            ).start().stop()
        except ServerError as e:
            raise UsageError(f"{app.module} does not serve {app.path}: {e}") from e
