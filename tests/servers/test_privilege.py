"""Least privilege: while a disposable server runs, nobody but its owner can use it as a lever.

The last test plays a second local OS user (via ``setpriv``) against a running server and proves
it can neither log in as the database root, nor write a file through the server, nor find the
app password.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pymysql
import pytest

import chaos
from chaos.servers.local import LocalServer
from chaos.servers.os_user import server_user

from .support import process_cmdline

ACCESS_DENIED = 1045
NEEDS_PRIVILEGE = 1227
SECURE_FILE_PRIV = 1290


def _proc_ids(pid: int) -> tuple[int, int]:
    """Real uid and gid of ``pid`` from /proc/PID/status."""
    ids = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("Uid", "Gid"):
                ids[name] = int(value.split()[0])
    return ids["Uid"], ids["Gid"]


def test_only_root_at_localhost_and_the_app_account_can_log_in(mysql_chaos_server):
    accounts = set(mysql_chaos_server.query("SELECT user, host FROM mysql.global_priv"))
    # mariadb.sys owns system views; it has no password and no login (a locked account).
    assert accounts == {("root", "localhost"), ("mariadb.sys", "localhost"), ("app", "%")}
    assert mysql_chaos_server.query("SELECT user, host FROM mysql.proxies_priv") == [
        ("root", "localhost")
    ]


def test_root_over_tcp_is_refused_because_localhost_means_the_socket_only(mysql_chaos_server):
    # --skip-name-resolve: a TCP client from 127.0.0.1 is '127.0.0.1', never 'localhost'.
    assert mysql_chaos_server.query("SELECT @@skip_name_resolve") == [(1,)]
    for password in ("", "root"):
        with pytest.raises(pymysql.err.OperationalError) as refused:
            pymysql.connect(
                host="127.0.0.1",
                port=mysql_chaos_server.port,
                user="root",
                password=password,
                ssl_disabled=True,
            )
        assert refused.value.args[0] == ACCESS_DENIED


def test_app_password_is_random_per_server_and_the_old_fixed_one_is_refused():
    with LocalServer() as first, LocalServer() as second:
        passwords = {first.settings.password, second.settings.password}
        assert len(passwords) == 2 and "app" not in passwords
        assert all(len(password) >= 24 for password in passwords)
        for server in (first, second):
            pymysql.connect(**server.settings.pymysql_kwargs()).close()
            with pytest.raises(pymysql.err.OperationalError) as refused:
                pymysql.connect(**server.settings.pymysql_kwargs(password="app"))
            assert refused.value.args[0] == ACCESS_DENIED
        with pytest.raises(pymysql.err.OperationalError) as crossed:
            pymysql.connect(**first.settings.pymysql_kwargs(password=second.settings.password))
        assert crossed.value.args[0] == ACCESS_DENIED


def test_app_password_survives_a_crash_and_a_restart(fresh_server):
    password = fresh_server.settings.password
    fresh_server.kill()
    fresh_server.restart()
    assert fresh_server.settings.password == password
    pymysql.connect(**fresh_server.settings.pymysql_kwargs()).close()


def test_file_io_is_confined_to_the_files_directory_even_for_root(mysql_chaos_server, tmp_path):
    files = mysql_chaos_server.files_dir
    assert mysql_chaos_server.query("SELECT @@secure_file_priv") == [(files + "/",)]
    outside = tmp_path / "outside.txt"
    conn = mysql_chaos_server.admin_connect()
    try:
        with conn.cursor() as cursor, pytest.raises(pymysql.err.OperationalError) as refused:
            cursor.execute(f"SELECT 'x' INTO OUTFILE '{outside}'")
        assert refused.value.args[0] == SECURE_FILE_PRIV
        with conn.cursor() as cursor:
            cursor.execute(f"SELECT 'x' INTO OUTFILE '{files}/inside.txt'")
    finally:
        conn.close()
    assert not outside.exists()
    assert (Path(files) / "inside.txt").read_text() == "x\n"
    os.unlink(Path(files) / "inside.txt")


def test_socket_lives_in_a_private_workdir(mysql_chaos_server):
    workdir = mysql_chaos_server.workdir
    assert Path(mysql_chaos_server.socket_path).parent == workdir
    assert workdir.stat().st_mode & 0o777 == 0o700
    assert f"--socket={mysql_chaos_server.socket_path}" in process_cmdline(mysql_chaos_server.pid)


def test_server_never_runs_as_os_root_and_owns_its_workdir(mysql_chaos_server):
    uid, gid = _proc_ids(mysql_chaos_server.pid)
    expected = server_user()
    if expected is None:  # not root: the server runs as the caller
        assert (uid, gid) == (os.getuid(), os.getgid())
    else:
        assert uid != 0 and (uid, gid) == (expected.uid, expected.gid)
    assert not any(arg.startswith("--user") for arg in process_cmdline(mysql_chaos_server.pid))
    for path in (mysql_chaos_server.workdir, mysql_chaos_server.workdir / "data" / "ibdata1"):
        assert path.stat().st_uid == uid


# -- a second local OS user against a running server ----------------------------------------
INTRUDER = r"""
import json, os, sys
import pymysql

target = json.loads(sys.stdin.read())
report = {"logins": {}, "outfiles": {}, "socket": None, "workdir": None, "password_seen_in": []}

def attempt(label, **how):
    try:
        conn = pymysql.connect(ssl_disabled=True, connect_timeout=5, **how)
    except pymysql.err.MySQLError as e:
        report["logins"][label] = e.args[0]
        return
    report["logins"][label] = "connected"
    try:
        path = f"{target['outfile']}-{len(report['outfiles'])}"
        with conn.cursor() as cursor:
            cursor.execute(f"SELECT 'owned' INTO OUTFILE '{path}'")
        report["outfiles"][label] = "written"
    except pymysql.err.MySQLError as e:
        report["outfiles"][label] = e.args[0]
    conn.close()

tcp = {"host": "127.0.0.1", "port": target["port"]}
for user, password in [("root", ""), ("root", "root"), ("app", "app"), ("app", ""), ("", "")]:
    attempt(f"tcp {user!r}/{password!r}", user=user, password=password, **tcp)
# As if the app password had leaked: the account still cannot write files.
attempt("tcp app/leaked", user="app", password=target["password"], **tcp)
try:
    pymysql.connect(unix_socket=target["socket"], user="root", ssl_disabled=True)
    report["socket"] = "connected"
except pymysql.err.MySQLError as e:
    report["socket"] = list(e.args)
try:
    os.listdir(target["workdir"])
    report["workdir"] = "listed"
except PermissionError:
    report["workdir"] = "denied"

for pid in os.listdir("/proc"):
    for name in ("cmdline", "environ"):
        try:
            with open(f"/proc/{pid}/{name}", "rb") as f:
                if target["password"].encode() in f.read():
                    report["password_seen_in"].append(f"/proc/{pid}/{name}")
        except OSError:
            pass
for entry in os.scandir("/dev/shm"):
    try:
        if entry.is_file() and target["password"].encode() in open(entry.path, "rb").read():
            report["password_seen_in"].append(entry.path)
    except OSError:
        pass
print(json.dumps(report))
"""


@pytest.fixture
def intruder_python_path():
    """A world-readable copy of pymysql (with what its RSA login needs) and chaos: the project's
    venv may sit where others cannot read (under /root)."""
    root = Path(tempfile.mkdtemp(prefix="privilege-test-"))
    try:
        root.chmod(0o755)
        shutil.copytree(Path(pymysql.__file__).parent, root / "pymysql")
        # caching_sha2_password (MySQL) refuses a wrong password only after the client has
        # encrypted it with the server's RSA key.
        for name in ("cryptography", "cffi", "pycparser", "_cffi_backend"):
            spec = importlib.util.find_spec(name)
            if spec is None or spec.origin is None:
                continue
            origin = Path(spec.origin)
            if origin.name == "__init__.py":
                shutil.copytree(origin.parent, root / name, ignore=shutil.ignore_patterns("*.pyc"))
            else:
                shutil.copy(origin, root / origin.name)
        shutil.copytree(
            Path(chaos.__file__).parent, root / "chaos", ignore=shutil.ignore_patterns("*.pyc")
        )
        for path in root.rglob("*"):
            path.chmod(0o755 if path.is_dir() else 0o644)
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _system_python() -> str:
    """The system interpreter, or the one the venv was made from: the venv may be unreadable."""
    return shutil.which("python3", path="/usr/bin:/bin") or str(
        Path(sys.base_prefix) / "bin" / "python3"
    )


def _as_user(uid: int, script: str, python_path: Path, **run: object) -> dict[str, object]:
    """Run ``script`` as ``uid`` (no groups, an empty environment) and parse its JSON output."""
    result = subprocess.run(
        [
            "setpriv",
            f"--reuid={uid}",
            f"--regid={uid}",
            "--clear-groups",
            _system_python(),
            "-s",
            "-c",
            script,
        ],
        capture_output=True,
        text=True,
        cwd="/",
        env={
            "PATH": "/usr/bin:/bin:/usr/sbin:/sbin",
            "PYTHONPATH": str(python_path),
            **run.pop("env", {}),
        },
        timeout=120,
        check=False,
        **run,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to act as a second local OS user")
def test_a_second_local_user_cannot_log_in_as_root_write_files_or_read_the_password(
    mysql_chaos_server, intruder_python_path
):
    server_uid = _proc_ids(mysql_chaos_server.pid)[0]
    intruder = 65533 if server_uid == 65534 else 65534  # anyone but the server's own account
    outfile = f"/tmp/privilege-test-{uuid.uuid4().hex}"
    target = {
        "port": mysql_chaos_server.port,
        "socket": mysql_chaos_server.socket_path,
        "workdir": str(mysql_chaos_server.workdir),
        "password": mysql_chaos_server.settings.password,
        "outfile": outfile,
    }
    report = _as_user(intruder, INTRUDER, intruder_python_path, input=json.dumps(target))

    logins = report["logins"]
    assert logins == {
        "tcp 'root'/''": ACCESS_DENIED,
        "tcp 'root'/'root'": ACCESS_DENIED,
        "tcp 'app'/'app'": ACCESS_DENIED,
        "tcp 'app'/''": ACCESS_DENIED,
        "tcp ''/''": ACCESS_DENIED,
        "tcp app/leaked": "connected",
    }
    # Even with the password, app has no FILE privilege.
    assert report["outfiles"] == {"tcp app/leaked": NEEDS_PRIVILEGE}
    # Cannot even reach the socket in the 0700 workdir (pymysql says 2003 for a Unix socket too).
    code, message = report["socket"]
    assert code == 2003 and "Permission denied" in message
    assert report["workdir"] == "denied"
    assert report["password_seen_in"] == []
    assert not any(name.startswith(os.path.basename(outfile)) for name in os.listdir("/tmp"))


NON_ROOT_OWNER = r"""
import json, os
import pymysql
from chaos.servers.local import LocalServer

with LocalServer() as server:
    with open(f"/proc/{server.pid}/status") as status:
        uid = int(next(line.split()[1] for line in status if line.startswith("Uid:")))
    report = {
        "server_uid": uid,
        "workdir_mode": server.workdir.stat().st_mode & 0o777,
        "accounts": sorted(map(list, server.query("SELECT user, host FROM mysql.global_priv"))),
        "secure_file_priv": server.query("SELECT @@secure_file_priv")[0][0],
        "files_dir": server.files_dir,
    }
    try:
        pymysql.connect(host="127.0.0.1", port=server.port, user="root", ssl_disabled=True)
        report["tcp_root"] = "connected"
    except pymysql.err.OperationalError as e:
        report["tcp_root"] = e.args[0]
    pymysql.connect(**server.settings.pymysql_kwargs()).close()
    server.kill()  # crash recovery, restart and freeze as the owner's own account
    server.restart()
    server.freeze()
    server.thaw()
    report["answers_after_kill_restart_freeze"] = server.query("SELECT 1") == [(1,)]
    workdir = server.workdir
report["workdir_removed"] = not workdir.exists()
print(json.dumps(report))
"""


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to become another, non-root owner")
def test_a_non_root_owner_runs_the_server_as_itself_with_the_same_guarantees(
    intruder_python_path,
):
    owner_uid = 65534
    cache = Path(tempfile.mkdtemp(prefix="privilege-test-cache-"))
    try:
        os.chown(cache, owner_uid, owner_uid)
        report = _as_user(
            owner_uid,
            NON_ROOT_OWNER,
            intruder_python_path,
            env={"HOME": "/nonexistent", "XDG_CACHE_HOME": str(cache)},
        )
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    assert report["server_uid"] == owner_uid
    assert report["workdir_mode"] == 0o700
    assert report["accounts"] == [["app", "%"], ["mariadb.sys", "localhost"], ["root", "localhost"]]
    assert report["secure_file_priv"] == report["files_dir"] + "/"
    assert report["tcp_root"] == ACCESS_DENIED
    assert report["answers_after_kill_restart_freeze"] is True
    assert report["workdir_removed"] is True
