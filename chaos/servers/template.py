"""A template data directory, bootstrapped once per machine and copied for every server.

Bootstrapping takes most of a second; a sparse copy of the template takes a few milliseconds, so
every disposable server starts from a fresh copy in well under a second.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from chaos.errors import ServerError
from chaos.servers.binary import ServerBinary

log = logging.getLogger(__name__)

#: Bump when the template's contents change, so cached templates are rebuilt.
TEMPLATE_REVISION = 2
#: The unprivileged account clients use: no SUPER, so max_connections applies to it as it does
#: to a real application's account. The suite's own admin session is root over the Unix socket.
APP_USER = "app"
APP_PASSWORD = "app"
_APP_USER_SQL = (
    # Bootstrap mode starts with the grant tables unloaded; FLUSH loads them.
    "FLUSH PRIVILEGES;\n"
    f"CREATE USER '{APP_USER}'@'%' IDENTIFIED BY '{APP_PASSWORD}';\n"
    f"GRANT ALL PRIVILEGES ON `test`.* TO '{APP_USER}'@'%';\n"
)

#: Options shared by bootstrap and every start: small InnoDB files keep copies cheap.
INNODB_OPTIONS = (
    "--innodb-log-file-size=4M",
    "--innodb-data-file-path=ibdata1:4M:autoextend",
)


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mysql-chaos" / "templates"


def template_datadir(binary: ServerBinary) -> Path:
    """The template for ``binary``, made on first use (safe against concurrent processes)."""
    key = hashlib.sha256(
        f"{TEMPLATE_REVISION}|{binary.path}|{binary.version}|{INNODB_OPTIONS}".encode()
    ).hexdigest()
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    target = root / f"{binary.flavor}-{binary.version}-{key[:12]}"
    if (target / ".complete").exists():
        return target
    with open(root / f"{target.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (target / ".complete").exists():
            _bootstrap(binary, target)
    return target


def copy_template(template: Path, datadir: Path) -> None:
    """Sparse copy: InnoDB's system tablespace is mostly zero pages."""
    subprocess.run(
        ["cp", "-a", "--sparse=always", f"{template}/.", str(datadir)],
        check=True,
        capture_output=True,
    )


def _bootstrap(binary: ServerBinary, target: Path) -> None:
    log.info("bootstrapping template datadir for %s %s", binary.flavor, binary.version)
    staging = Path(tempfile.mkdtemp(prefix=target.name + ".", dir=target.parent))
    try:
        if binary.flavor == "mariadb":
            args = _mariadb_install_args(binary, staging)
        else:
            args = [binary.path, "--no-defaults", "--initialize-insecure", f"--datadir={staging}"]
            args += ["--user=root"] if os.geteuid() == 0 else []
        result = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
        if result.returncode != 0:
            tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
            raise ServerError(f"bootstrapping a datadir failed: {' | '.join(tail)}")
        _create_app_user(binary, staging)
        # A database is a directory: the suite's default database `test` costs nothing here.
        (staging / "test").mkdir(exist_ok=True)
        (staging / ".complete").touch()
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _mariadb_install_args(binary: ServerBinary, datadir: Path) -> list[str]:
    install = shutil.which("mariadb-install-db") or shutil.which("mysql_install_db")
    if install is None:
        raise ServerError("mariadb-install-db not found: install Debian's mariadb-server")
    args = [
        install,
        "--no-defaults",
        f"--datadir={datadir}",
        "--auth-root-authentication-method=normal",
        "--skip-test-db",
        *INNODB_OPTIONS,
    ]
    if os.geteuid() == 0:
        args.append("--user=root")
    return args


def _create_app_user(binary: ServerBinary, datadir: Path) -> None:
    args = [binary.path, "--no-defaults", f"--datadir={datadir}", "--bootstrap", *INNODB_OPTIONS]
    if os.geteuid() == 0:
        args.append("--user=root")
    result = subprocess.run(
        args, input=_APP_USER_SQL, capture_output=True, text=True, timeout=120, check=False
    )
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        raise ServerError(f"creating the app user failed: {' | '.join(tail)}")
