"""Server settings a suite gives the plugin: extra mysqld options, as pytest-mysql users expect.

Two places, both for the disposable local servers the plugin starts:

``mysql_chaos_server_options`` (ini, e.g. ``--max-connections=50 --sql-mode=ANSI``)
    every server of the run: the session's ``mysql_chaos_server`` and every ``mysql_chaos_fault``'s.
``@pytest.mark.mysql_chaos(server_options=[...])``
    added, for that test, to the server its ``mysql_chaos_fault`` starts (each test of the
    fixture gets a server of its own; the session's server has only the ini's).

Each set is checked once by asking the server binary (:mod:`chaos.servers.server_options`): an
option it refuses, or one that would open the server to others, is one line, before any server
starts. A server the plugin does not start (``--mysql-chaos-server-url``, containers) takes none.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import pytest

from chaos.errors import UsageError

if TYPE_CHECKING:
    from chaos.runner.environment import Backend

INI = "mysql_chaos_server_options"
MARKER_ARGUMENT = "server_options"


def add_ini(parser: pytest.Parser) -> None:
    parser.addini(
        INI,
        type="args",
        default=[],
        help="Extra options for every disposable server the plugin starts "
        "(e.g. --max-connections=50 --sql-mode=ANSI); options that would open the server "
        "to others (--skip-grant-tables, --bind-address, --port, --user, ...) are refused.",
    )


def ini_server_options(config: pytest.Config, backend_kind: str | None) -> tuple[str, ...]:
    """The ini's options, checked; ``backend_kind`` names a backend that takes none."""
    options = tuple(config.getini(INI))
    if options and backend_kind:
        raise UsageError(f"{INI} applies to disposable local servers, not to {backend_kind}")
    return checked(None, options, INI)


def with_marker_options(backend: Backend, marker: pytest.Mark | None, where: str) -> Backend:
    """``backend`` with the marker's ``server_options`` added (checked)."""
    from dataclasses import replace

    given = marker.kwargs.get(MARKER_ARGUMENT, ()) if marker is not None else ()
    label = f"{where}: {MARKER_ARGUMENT}"
    if isinstance(given, str):
        raise UsageError(f"{label} is a list of options, not one string")
    options = tuple(given)
    if not options:
        return backend
    if backend.external_url or backend.docker_image:
        raise UsageError(f"{label} applies to disposable local servers only")
    options = checked(backend.server_binary, options, label)
    return replace(backend, server_options=(*backend.server_options, *options))


@functools.cache
def checked(binary: str | None, options: tuple[str, ...], where: str) -> tuple[str, ...]:
    """``options`` once the server binary (``None``: the one a local server would use) takes
    them; checked once per process for each set and place."""
    if not options:
        return options
    from chaos.servers.binary import find_server_binary
    from chaos.servers.server_options import check_server_options

    return check_server_options(find_server_binary(binary).path, options, where)
