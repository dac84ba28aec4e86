"""A template data directory, bootstrapped once per machine and copied for every server.

Bootstrapping takes most of a second; a sparse copy of the template takes a few milliseconds, so
every disposable server starts from a fresh copy in well under a second.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from chaos.errors import BadSettingError, ServerError
from chaos.owner import owner_alive, owner_tag
from chaos.servers.server_binary import ServerBinary

log = logging.getLogger(__name__)

#: Bump when the template's contents change, so cached templates are rebuilt.
TEMPLATE_REVISION = 3
#: The unprivileged account clients use: no SUPER, so max_connections applies to it as it does
#: to a real application's account. The suite's own admin session is root over the Unix socket.
#: It is locked in the template: each server unlocks it with a random password of its own.
APP_USER = "app"
_ACCOUNTS_SQL = (
    # Bootstrap mode starts with the grant tables unloaded; FLUSH loads them.
    "FLUSH PRIVILEGES;\n"
    # mariadb-install-db makes a passwordless root for 127.0.0.1, ::1 and the host name too, and
    # anonymous accounts on some versions: all reachable over TCP. Only root@localhost stays; with
    # --skip-name-resolve 'localhost' matches the Unix socket alone, which lives in a 0700
    # directory.
    "DELETE FROM mysql.global_priv WHERE User = '' OR (User = 'root' AND Host <> 'localhost');\n"
    "DELETE FROM mysql.proxies_priv WHERE User = '' OR (User = 'root' AND Host <> 'localhost');\n"
    "DELETE FROM mysql.db WHERE User = '';\n"
    "FLUSH PRIVILEGES;\n"
    f"CREATE USER '{APP_USER}'@'%' ACCOUNT LOCK;\n"
    f"GRANT ALL PRIVILEGES ON `test`.* TO '{APP_USER}'@'%';\n"
)

#: MySQL keeps the accounts in its data dictionary, so they are made with SQL during
#: ``--initialize``, which makes root@localhost alone; the system accounts (mysql.sys,
#: mysql.session, mysql.infoschema) are locked. ``test`` must be created: a directory is no
#: database to MySQL.
_MYSQL_ACCOUNTS_SQL = (
    f"CREATE USER '{APP_USER}'@'%' ACCOUNT LOCK;\n"
    "CREATE DATABASE test;\n"
    f"GRANT ALL PRIVILEGES ON `test`.* TO '{APP_USER}'@'%';\n"
)

#: Options shared by bootstrap and every start: small InnoDB files keep copies cheap.
INNODB_OPTIONS = (
    "--innodb-log-file-size=4M",
    "--innodb-data-file-path=ibdata1:4M:autoextend",
)
#: The same for MySQL >= 8.0.30 (redo capacity replaced the log file size; the system
#: tablespace must be at least 12M), and no X Protocol listener on a port of its own.
MYSQL_OPTIONS = (
    "--innodb-redo-log-capacity=8M",
    "--innodb-data-file-path=ibdata1:12M:autoextend",
    "--mysqlx=OFF",
)


def storage_options(binary: ServerBinary) -> tuple[str, ...]:
    """The options every bootstrap and start of ``binary`` shares."""
    return MYSQL_OPTIONS if binary.flavor == "mysql" else INNODB_OPTIONS


_HOW_TO_CHOOSE = "set XDG_CACHE_HOME to a writable directory to keep it elsewhere"


def cache_root() -> Path:
    return suite_cache_dir() / "templates"


def suite_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/mysql-chaos`` (``~/.cache/mysql-chaos``): templates and root
    filesystems."""
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        home = os.path.expanduser("~")
        # A home that does not exist (HOME=/nonexistent, as for system accounts) is not ours to
        # create, even where root could.
        if not os.path.isdir(home):
            raise ServerError(
                f"template cache: home directory {home} does not exist; {_HOW_TO_CHOOSE}"
            )
        base = os.path.join(home, ".cache")
    return Path(base) / "mysql-chaos"


def template_datadir(binary: ServerBinary) -> Path:
    """The template for ``binary``, made on first use (safe against concurrent processes)."""
    key = hashlib.sha256(
        f"{TEMPLATE_REVISION}|{binary.path}|{binary.version}|{storage_options(binary)}".encode()
    ).hexdigest()
    root = cache_root()
    target = root / f"{binary.flavor}-{binary.version}-{key[:12]}"
    if (target / ".complete").exists():
        return target
    try:
        root.mkdir(parents=True, exist_ok=True)
        with open(root / f"{target.name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not (target / ".complete").exists():
                _remove_dead_staging(target)
                _bootstrap(binary, target)
    except OSError as e:
        where = e.filename or root
        # A cache the user chose is bad input (exit 2); the default one failing is the machine's.
        error = BadSettingError if os.environ.get("XDG_CACHE_HOME") else ServerError
        raise error(
            f"template cache {root} is not usable ({where}: {e.strerror}); {_HOW_TO_CHOOSE}"
        ) from e
    return target


def _remove_dead_staging(target: Path) -> None:
    """Staging dirs of bootstraps whose process was killed (called under the lock)."""
    pattern = re.compile(rf"^{re.escape(target.name)}\.(\d+)-(\d+)\.")
    for entry in target.parent.iterdir():
        match = pattern.match(entry.name)
        if match and not owner_alive(int(match.group(1)), int(match.group(2))):
            log.info("removing %s, left by a killed bootstrap", entry)
            shutil.rmtree(entry, ignore_errors=True)


def copy_template(template: Path, datadir: Path) -> None:
    """Sparse copy: InnoDB's system tablespace is mostly zero pages."""
    subprocess.run(
        ["cp", "-a", "--sparse=always", f"{template}/.", str(datadir)],
        check=True,
        capture_output=True,
    )


def _bootstrap(binary: ServerBinary, target: Path) -> None:
    log.info("bootstrapping template datadir for %s %s", binary.flavor, binary.version)
    staging = Path(tempfile.mkdtemp(prefix=f"{target.name}.{owner_tag()}.", dir=target.parent))
    # Bootstrap's temporary tables go to a private directory, not the shared /tmp where names
    # made from a pid can meet another user's files.
    scratch = Path(tempfile.mkdtemp(prefix=f"{target.name}.{owner_tag()}.tmp.", dir=target.parent))
    try:
        if binary.flavor == "mariadb":
            args = _mariadb_install_args(binary, staging)
        else:
            args = _mysql_initialize_args(binary, staging, scratch)
        args.append(f"--tmpdir={scratch}")
        result = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
        if result.returncode != 0:
            tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
            raise ServerError(f"bootstrapping a datadir failed: {' | '.join(tail)}")
        if binary.flavor == "mariadb":
            _set_up_accounts(binary, staging, scratch)
            # A database is a directory: the suite's default database `test` costs nothing here.
            (staging / "test").mkdir(exist_ok=True)
        else:
            # Each copy makes its own server UUID at its first start.
            (staging / "auto.cnf").unlink(missing_ok=True)
        (staging / ".complete").touch()
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
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


def _mysql_initialize_args(binary: ServerBinary, datadir: Path, scratch: Path) -> list[str]:
    accounts = scratch / "accounts.sql"
    accounts.write_text(_MYSQL_ACCOUNTS_SQL)
    args = [
        *binary.command(),
        "--initialize-insecure",
        f"--datadir={datadir}",
        f"--init-file={accounts}",
        f"--secure-file-priv={scratch}",  # mysqld refuses to start without one
        "--performance-schema=OFF",
        *storage_options(binary),
    ]
    # mysqld refuses to run as root unless told to; it only writes the staging dir here.
    return args + (["--user=root"] if os.geteuid() == 0 else [])


def _set_up_accounts(binary: ServerBinary, datadir: Path, scratch: Path) -> None:
    args = [
        *binary.command(),
        f"--datadir={datadir}",
        f"--tmpdir={scratch}",
        "--bootstrap",
        *INNODB_OPTIONS,
    ]
    if os.geteuid() == 0:
        args.append("--user=root")
    result = subprocess.run(
        args, input=_ACCOUNTS_SQL, capture_output=True, text=True, timeout=120, check=False
    )
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        raise ServerError(f"setting up the accounts failed: {' | '.join(tail)}")
