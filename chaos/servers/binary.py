"""Find the server binary (mariadbd or mysqld, or the MySQL flavour's root filesystem) and learn
what it is."""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess

from chaos.errors import BadSettingError, ServerBinaryMissingError
from chaos.servers.rootfs import mysql_binary
from chaos.servers.server_binary import ServerBinary

#: Environment variable naming the server binary explicitly.
BINARY_ENV = "MYSQL_CHAOS_SERVER_BINARY"
_SEARCH_DIRS = ("/usr/sbin", "/usr/local/sbin", "/usr/local/mysql/bin", "/usr/bin")


def find_server_binary(explicit: str | None = None) -> ServerBinary:
    """The first of: ``explicit``, ``$MYSQL_CHAOS_SERVER_BINARY``, mariadbd/mysqld on PATH.

    A binary the user named that is missing or no server is bad input (:class:`BadSettingError`,
    exit 2); none found where the search looks is the machine's (exit 4).

    ``mysql`` (:data:`~chaos.servers.rootfs.MYSQL_FLAVOUR`) names no program but the MySQL
    flavour: Oracle MySQL from the root filesystem ``mysql-chaos server install mysql`` made.
    """
    candidate = explicit or os.environ.get(BINARY_ENV)
    if candidate == "mysql":
        return mysql_binary()
    if candidate:
        path = shutil.which(candidate) or (candidate if os.access(candidate, os.X_OK) else None)
        if path is None:
            raise BadSettingError(f"server binary {candidate!r} not found or not executable")
        try:
            return _describe(os.path.realpath(path))
        except ServerBinaryMissingError as e:
            raise BadSettingError(str(e)) from e
    search_path = os.pathsep.join([os.environ.get("PATH", ""), *_SEARCH_DIRS])
    for name in ("mariadbd", "mysqld"):
        path = shutil.which(name, path=search_path)
        if path:
            return _describe(os.path.realpath(path))
    raise ServerBinaryMissingError(
        "no mariadbd or mysqld found on PATH or in /usr/sbin: install Debian's mariadb-server "
        f"or set {BINARY_ENV}"
    )


@functools.lru_cache(maxsize=8)
def _describe(path: str) -> ServerBinary:
    try:
        out = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except OSError as e:
        raise ServerBinaryMissingError(f"cannot run {path}: {e.strerror}") from e
    match = re.search(r"Ver\s+(\S+)", out)
    if not match:
        raise ServerBinaryMissingError(f"{path} --version printed no version: {out.strip()!r}")
    version = match.group(1)
    flavor = "mariadb" if "mariadb" in version.lower() else "mysql"
    return ServerBinary(path=path, version=version, flavor=flavor)
