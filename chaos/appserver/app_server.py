"""A WSGI app served by a real WSGI server process: uWSGI as in the seed, gunicorn otherwise.

The app is named by its ``module:attribute`` spec and configured through the environment, so
``chaos`` never imports the app. The server runs in its own process group; :meth:`stop`
ends the group (master, worker, HTTP router) and waits until no member is left.

Only the owner reaches it: it listens on ``http.sock`` in its 0700 work directory (uWSGI's HTTP
router, and the router's link to its worker, on ``uwsgi.sock`` beside it: left to itself uWSGI
puts that link on a loopback TCP port), never on a TCP port any local user could connect to;
clients speak HTTP over that socket (:class:`chaos.appserver.unix_http.UnixHTTPConnection`). The
database password is in no process's environment: ``secrets`` go to a 0600 file there that
:mod:`chaos.appserver.wsgi_entry` reads into the app's ``os.environ`` before importing the app, and
that is removed once the app answers.

Its log and pid file live in a work directory named after the owner (``owned_prefix("app")``),
and the pid file's path is on the server's command line: a server left behind by an owner
killed with SIGKILL is found and removed by the sweep (chaos/sweep.py) like a datadir's server.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from chaos import lifecycle
from chaos.appserver.unix_http import UnixHTTPConnection
from chaos.errors import ServerError, UsageError
from chaos.owner import owned_prefix
from chaos.waiting import WaitTimeout, wait_for

SERVERS = ("uwsgi", "gunicorn")
#: What the server's environment names for :mod:`chaos.appserver.wsgi_entry`.
SECRETS_FILE_VARIABLE = "MYSQL_CHAOS_SECRETS_FILE"
APP_VARIABLE = "MYSQL_CHAOS_WSGI_APP"
THREADS = 16
_READY_TIMEOUT = 30.0


def find_uwsgi() -> str | None:
    """The ``uwsgi`` binary next to this interpreter (the pyuwsgi wheel), else on PATH."""
    beside = Path(sys.executable).parent / "uwsgi"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("uwsgi")


#: What to install for a WSGI server: the extra that carries uWSGI, as the seed ran it.
INSTALL_HINT = "pip install 'mysql-chaos[app]' (uWSGI, as pyuwsgi) or pip install gunicorn"


def gunicorn_installed() -> bool:
    """Whether this interpreter can run ``-m gunicorn`` (how :class:`AppServer` starts it)."""
    return importlib.util.find_spec("gunicorn") is not None


def choose_server(requested: str = "auto") -> str:
    """``uwsgi`` when it is installed (or asked for), else ``gunicorn``; one that is not
    installed is a :class:`UsageError` saying what to install (not the app's failure)."""
    if requested not in (*SERVERS, "auto"):
        raise UsageError(f"WSGI server must be auto, uwsgi or gunicorn, got {requested!r}")
    if requested in ("auto", "uwsgi") and find_uwsgi():
        return "uwsgi"
    if requested in ("auto", "gunicorn") and gunicorn_installed():
        return "gunicorn"
    missing = (
        "no WSGI server is installed" if requested == "auto" else f"{requested} is not installed"
    )
    raise UsageError(f"{missing}: {INSTALL_HINT}")


def _group_members(pgid: int) -> list[int]:
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # exited meanwhile
        # fields[0] is the state, fields[2] the process group; zombies are already dead.
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry))
    return members


class AppServer(lifecycle.Resource):
    """``module`` served on :attr:`socket_path` by ``server`` with 1 process and :data:`THREADS`
    threads.

    ``env`` is added to the server's environment, ``secrets`` reach the app's ``os.environ``
    through a file (see the module docstring). ``ready_path`` is requested until it answers 200
    before :meth:`start` returns. ``preexec`` runs in the server's process before exec (entering
    a cell's network namespace: the app's database traffic goes there; its socket file is
    reached from any namespace).
    """

    def __init__(
        self,
        module: str,
        env: Mapping[str, str],
        server: str = "auto",
        threads: int = THREADS,
        cwd: str | None = None,
        *,
        ready_path: str = "/?city=London",
        preexec: Callable[[], None] | None = None,
        stop_timeout: float = 10.0,
        secrets: Mapping[str, str] | None = None,
    ) -> None:
        self.module = module
        self.server = choose_server(server)
        self.threads = threads
        self.env = {**os.environ, **env, APP_VARIABLE: module}
        self.secrets = dict(secrets or {})
        for name in self.secrets:
            self.env.pop(name, None)  # an inherited value must not stand beside the secret one
        self.cwd = cwd
        self.ready_path = ready_path
        self.preexec = preexec
        self.stop_timeout = stop_timeout
        self.process: subprocess.Popen[bytes] | None = None
        self._workdir = ""
        self._cleanup_key: int | None = None

    @property
    def _log_path(self) -> str:
        return os.path.join(self._workdir, "server.log") if self._workdir else ""

    @property
    def _pid_path(self) -> str:
        return os.path.join(self._workdir, "server.pid")

    @property
    def socket_path(self) -> str:
        """Where the server takes HTTP requests (a socket file only its owner can reach)."""
        return os.path.join(self._workdir, "http.sock")

    @property
    def _secrets_path(self) -> str:
        return os.path.join(self._workdir, "secrets.json")

    def connection(self, timeout: float = 5.0) -> UnixHTTPConnection:
        """An HTTP connection to the app."""
        return UnixHTTPConnection(self.socket_path, timeout=timeout)

    def command(self) -> list[str]:
        entry = "chaos.appserver.wsgi_entry:app"  # the secrets first, then self.module
        if self.server == "uwsgi":
            uwsgi = find_uwsgi()
            assert uwsgi is not None
            # The seed's command line, plus: keep-alive in the HTTP router (the load generator
            # keeps connections open), no per-request log line, and exit when the app fails to
            # load (the app loads in the master, so a failure is not respawned forever).
            return [
                *(uwsgi, "--http", self.socket_path, "--http-keepalive", "--module", entry),
                *("--socket", os.path.join(self._workdir, "uwsgi.sock")),
                *("--master", "--processes", "1", "--threads", str(self.threads)),
                *("--need-app", "--die-on-term", "--disable-logging"),
                *("--pidfile", self._pid_path),
            ]
        return [
            *(sys.executable, "-m", "gunicorn", "--workers", "1", "--threads", str(self.threads)),
            # --preload: the app loads in the arbiter, so a failure ends gunicorn instead of
            # looping through worker respawns.
            *("--bind", f"unix:{self.socket_path}", "--keep-alive", "5", "--preload"),
            *("--pid", self._pid_path, entry),
        ]

    def _start(self) -> None:
        self._workdir = tempfile.mkdtemp(prefix=owned_prefix("app"))  # mode 0700
        self._cleanup_key = lifecycle.register_cleanup(self.stop)
        env = dict(self.env)
        if self.secrets:
            descriptor = os.open(self._secrets_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with open(descriptor, "w", encoding="utf-8") as secrets_file:
                json.dump(self.secrets, secrets_file)
            env[SECRETS_FILE_VARIABLE] = self._secrets_path
        with open(self._log_path, "wb") as log_file:
            # lifecycle.spawn: the master dies with this process even on SIGKILL (its
            # workers notice their master is gone and exit).
            self.process = lifecycle.spawn(
                self.command(),
                env=env,
                cwd=self.cwd,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec=self.preexec,
            )
        self._wait_ready()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._secrets_path)  # read by the app at import: needed no more

    def log_tail(self, lines: int = 3) -> str:
        """The app's own one-line complaint when there is one, else the log's last lines."""
        try:
            text = Path(self._log_path).read_text(errors="replace")
        except OSError:
            return ""
        # An app that refuses its configuration says so in one line that starts with its module.
        prefix = self.module.partition(":")[0] + ":"
        own = [line for line in text.splitlines() if line.startswith(prefix)]
        if own:
            return own[-1]
        return " | ".join(line for line in text.splitlines()[-lines:] if line.strip())

    def _wait_ready(self) -> None:
        process = self.process
        assert process is not None

        def answers() -> bool:
            if process.poll() is not None:
                raise ServerError(f"{self.server} exited before serving: {self.log_tail()}")
            conn = self.connection()
            try:
                conn.request("GET", self.ready_path)
                response = conn.getresponse()
                response.read()
            finally:
                conn.close()
            if 200 <= response.status < 300:
                return True
            raise ServerError(f"{self.server} answered {response.status}: {self.log_tail()}")

        try:
            wait_for(answers, _READY_TIMEOUT, transient=(OSError,), poll=0.05)
        except WaitTimeout:
            raise ServerError(
                f"{self.server} did not answer within {_READY_TIMEOUT:.0f} s"
            ) from None

    def stop(self) -> None:
        """End the whole process group and wait until none of it is left."""
        process, self.process = self.process, None
        if self._cleanup_key is not None:
            lifecycle.unregister_cleanup(self._cleanup_key)
            self._cleanup_key = None
        if process is not None:
            pgid = process.pid
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(self.stop_timeout)
            # Not a wait that gives up: past the grace period every member is killed, again on
            # each turn (one may have forked meanwhile), and the wait goes on until none is left.
            deadline = time.monotonic() + self.stop_timeout
            while _group_members(pgid):
                if time.monotonic() >= deadline:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(pgid, signal.SIGKILL)
                time.sleep(0.02)
            process.wait()
        if self._workdir:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = ""
