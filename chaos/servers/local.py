"""A disposable local server: its own datadir, port and socket; every verb on its process.

The datadir is a sparse copy of a cached template (see :mod:`chaos.servers.template`), so a start
takes a fraction of a second. The process dies with its owner: it is stopped by the context
manager, by :mod:`chaos.lifecycle`'s exit hooks (also after SIGTERM), and by the kernel's
parent-death signal if the owner is killed outright; a datadir that outlives a killed owner names
it, and the next run's sweep (:mod:`chaos.sweep`) removes it.

Least privilege while it runs: clients get the ``app`` account with a password made for this
server; root exists only as root@localhost, reachable through the Unix socket in the 0700 work
directory; file I/O is confined to ``files/`` in that directory; and the process never runs as OS
root (see :mod:`chaos.servers.os_user`).
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import pymysql

from chaos import lifecycle
from chaos.errors import PortInUseError, ServerError
from chaos.owner import owned_prefix
from chaos.ports import ensure_port_free, free_port
from chaos.servers.binary import find_server_binary
from chaos.servers.os_user import ServerUser, server_user
from chaos.servers.owned import OwnedServer
from chaos.servers.server_binary import ServerBinary
from chaos.servers.template import copy_template, storage_options, template_datadir
from chaos.sweep import StaleDirectory, stale_directories, sweep_once
from chaos.waiting import WaitTimeout, wait_for

log = logging.getLogger(__name__)

_START_TIMEOUT = 30.0
_STOP_TIMEOUT = 15.0
_PORT_ATTEMPTS = 5


#: Where datadirs go when it is there: tmpfs, as they are written a lot and thrown away.
SCRATCH_DIR = "/dev/shm"


def _scratch_root() -> str | None:
    """tmpfs when there is one (else the temp dir, which the sweep looks in anyway)."""
    shm = SCRATCH_DIR
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK) else None


def stale_datadirs() -> list[StaleDirectory]:
    """The sweeper of dead owners' datadirs in tmpfs (their servers are found through them)."""
    return stale_directories(SCRATCH_DIR)


def _all_threads_stopped(pid: int) -> bool:
    """True when every thread of ``pid`` is in the stopped state (``T`` in /proc)."""
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return False
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/stat") as stat:
                state = stat.read().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue  # a thread that exited meanwhile
        if state not in ("T", "t"):
            return False
    return True


class LocalServer(OwnedServer):
    """mariadbd/mysqld started and owned by this process."""

    def __init__(
        self,
        port: int | None = None,
        host: str = "127.0.0.1",
        binary: str | None = None,
        options: dict[str, str | int] | None = None,
        preexec: Callable[[], None] | None = None,
        name: str = "mysql-chaos",
        args: Sequence[str] = (),
    ) -> None:
        """``options`` are extra server options (``{"max_connections": 20}``); ``args`` are a
        user's, passed as given after every other (checked by
        :func:`chaos.servers.server_options.check_server_options`); ``preexec`` runs in the
        child before exec (used to enter a network namespace)."""
        self._requested_port = port
        self.host = host
        self._binary_name = binary
        self.options = dict(options or {})
        self.args = tuple(args)
        self._preexec = preexec
        self.name = name
        self.binary: ServerBinary | None = None
        self.port: int | None = None
        self.workdir: Path | None = None
        self.process: subprocess.Popen[bytes] | None = None
        #: A spawn and a stop take turns: the cleanup at Ctrl-C (the main thread) may stop a
        #: server a cell's thread is starting, and must know that process to end it.
        self._process_lock = threading.RLock()
        self.frozen = False
        self._cleanup_key: int | None = None
        self._app_password: str | None = None
        #: The OS account the process runs as when started by root (``None``: as the caller).
        self.os_user: ServerUser | None = None

    # -- state ---------------------------------------------------------------------------------
    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def describe(self) -> str:
        where = f"{self.host}:{self.port}" if self.port else "not started"
        return f"local server {self.name} ({where})"

    # -- lifecycle ----------------------------------------------------------------------------
    def _start(self) -> None:
        """Create the datadir on first start, then start the process and wait until it answers."""
        if self.running:
            return
        if self.workdir is None:
            self._create_workdir()
        self._start_process()

    @property
    def files_dir(self) -> str:
        """The only directory ``SELECT ... INTO OUTFILE`` and ``LOAD DATA`` may use."""
        if self.workdir is None:
            raise ServerError("server not started")
        return str(self.workdir / "files")

    def _create_workdir(self) -> None:
        sweep_once()
        self.binary = find_server_binary(self._binary_name)
        self.os_user = server_user()
        template = template_datadir(self.binary)
        # mkdtemp makes it 0700: the socket inside, and with it root@localhost, is the owner's.
        self.workdir = Path(tempfile.mkdtemp(prefix=owned_prefix(), dir=_scratch_root()))
        self._cleanup_key = lifecycle.register_cleanup(self.stop)
        copy_template(template, self.workdir / "data")
        (self.workdir / "files").mkdir(mode=0o700)
        (self.workdir / "tmp").mkdir(mode=0o700)  # temporary tables: private, not /tmp
        (self.workdir / "error.log").write_bytes(b"")
        if self.os_user is not None:
            # The template in root's cache is root's; the server's account must own its copy.
            self.os_user.own(self.workdir)
        self._app_password = secrets.token_urlsafe(24)

    def _start_process(self) -> None:
        if self._requested_port is not None and self.port is None:
            ensure_port_free(self.host, self._requested_port)
        for _attempt in range(_PORT_ATTEMPTS):
            if self.port is None:
                self.port = self._requested_port or free_port(self.host)
            self._spawn()
            outcome = self._wait_ready()
            if outcome == "ready":
                self._unlock_app_user()
                return
            if outcome == "port-taken" and self._requested_port is None:
                log.info("port %s was taken meanwhile; trying another", self.port)
                self.port = None
                continue
            if outcome == "port-taken":
                raise PortInUseError(f"port {self.host}:{self.port} is already in use")
            raise ServerError(f"{self.describe()} failed to start: {self._log_tail()}")
        raise ServerError(f"{self.describe()}: no free port after {_PORT_ATTEMPTS} attempts")

    def _command(self, root: str | None = None) -> list[str]:
        assert self.binary is not None and self.workdir is not None
        args = [
            *self.binary.command(root),
            f"--datadir={self.workdir / 'data'}",
            f"--socket={self.socket_path}",
            f"--pid-file={self.workdir / 'mysqld.pid'}",
            f"--log-error={self.workdir / 'error.log'}",
            f"--port={self.port}",
            f"--bind-address={self.host}",
            f"--secure-file-priv={self.files_dir}",
            f"--tmpdir={self.workdir / 'tmp'}",
            # Also what keeps TCP from 127.0.0.1 from ever matching root@localhost.
            "--skip-name-resolve",
            "--skip-log-bin",
            "--performance-schema=OFF",
            "--innodb-buffer-pool-size=16M",
            "--innodb-use-native-aio=0",
            "--innodb-flush-log-at-trx-commit=2",
            "--max-connections=200",
            *storage_options(self.binary),
        ]
        # No --user: mariadbd would switch uid after the parent-death signal is armed, which
        # clears it; the child switches itself before exec (see _preexec_for_child).
        args += [f"--{key.replace('_', '-')}={value}" for key, value in self.options.items()]
        return [*args, *self.args]

    def _spawn(self) -> None:
        assert self.workdir is not None
        # Truncating keeps the file's owner, so the server's account can still append to it.
        (self.workdir / "error.log").write_bytes(b"")
        root_fd = self._open_root_for_server_account()
        try:
            root = f"/proc/self/fd/{root_fd}" if root_fd is not None else None
            with self._process_lock:
                if self.workdir is None:
                    raise ServerError(f"{self.describe()} was stopped meanwhile")
                self.process = lifecycle.spawn(
                    self._command(root),
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    preexec=self._preexec_for_child(),
                    pass_fds=() if root_fd is None else (root_fd,),
                )
        finally:
            if root_fd is not None:
                os.close(root_fd)
        self.frozen = False

    def _open_root_for_server_account(self) -> int | None:
        """A path-only descriptor of the binary's root filesystem, for a server that drops to
        another account: the root filesystem sits in the owner's cache, which may be in a home
        that account cannot enter (root's is 0700). The server reaches it through the inherited
        descriptor alone; nothing about the home's permissions changes."""
        assert self.binary is not None
        if self.binary.root is None or self.os_user is None:
            return None
        return os.open(self.binary.root, os.O_PATH | os.O_DIRECTORY)

    def _preexec_for_child(self) -> Callable[[], None] | None:
        """Enter the namespace (needs root), then drop to the server's account; lifecycle.spawn
        arms the parent-death signal after both, as the uid change would clear it."""
        enter, user = self._preexec, self.os_user
        if user is None:
            return enter

        def preexec() -> None:
            if enter is not None:
                enter()
            user.switch_to()

        return preexec

    def _wait_ready(self) -> str:
        process = self.process
        assert process is not None

        def answer() -> str:
            if process.poll() is not None:
                return "port-taken" if "Address already in use" in self._log_tail() else "died"
            pymysql.connect(**self.admin_settings.pymysql_kwargs(connect_timeout=1)).close()
            return "ready"

        try:
            return wait_for(answer, _START_TIMEOUT, transient=(pymysql.err.MySQLError,), poll=0.01)
        except WaitTimeout:
            self._signal_and_wait(signal.SIGKILL)
            return "timeout"

    def _log_tail(self, lines: int = 3) -> str:
        if self.workdir is None:
            return "(stopped meanwhile: no error log)"
        try:
            text = (self.workdir / "error.log").read_text(errors="replace")
        except OSError:
            return "(no error log)"
        interesting = [line for line in text.splitlines() if "[ERROR]" in line] or text.splitlines()
        return " | ".join(line.strip() for line in interesting[-lines:]) or "(empty error log)"

    def _signal_and_wait(self, sig: signal.Signals, timeout: float = _STOP_TIMEOUT) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        if self.frozen and sig != signal.SIGKILL:
            process.send_signal(signal.SIGCONT)  # a stopped process cannot act on SIGTERM
        process.send_signal(sig)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        self.frozen = False

    def stop(self) -> None:
        """Stop the process (SIGTERM, then SIGKILL) and delete the datadir. Idempotent."""
        with self._process_lock:  # a process being spawned is known, and ended, first
            self._signal_and_wait(signal.SIGTERM)
            self.process = None
            if self.workdir is not None:
                shutil.rmtree(self.workdir, ignore_errors=True)
                self.workdir = None
                self._app_password = None
        self.port = None if self._requested_port is None else self.port
        if self._cleanup_key is not None:
            lifecycle.unregister_cleanup(self._cleanup_key)
            self._cleanup_key = None

    # -- process verbs ------------------------------------------------------------------------
    def shutdown(self) -> None:
        """Clean shutdown, keeping the datadir and port for a later :meth:`start`."""
        self._signal_and_wait(signal.SIGTERM)

    def restart(self) -> None:
        """Clean shutdown and start on the same port and datadir (a deploy, a failover)."""
        self.shutdown()
        self._start_process()

    def kill(self, restart: bool = True) -> None:
        """SIGKILL (no clean shutdown); with ``restart`` start again through crash recovery."""
        self._signal_and_wait(signal.SIGKILL)
        if restart:
            self._start_process()

    def freeze(self) -> None:
        """SIGSTOP: the kernel still accepts TCP connections, nothing answers.

        Returns once every thread has stopped: SIGSTOP takes effect asynchronously, and a query
        sent in between would still be answered.
        """
        if self.process is None or not self.running:
            raise ServerError(f"{self.describe()} is not running")
        pid = self.process.pid
        self.process.send_signal(signal.SIGSTOP)
        self.frozen = True

        def stopped() -> bool:
            if _all_threads_stopped(pid):
                return True
            if not self.running:
                raise ServerError(f"{self.describe()} did not stop on SIGSTOP")
            return False

        try:
            wait_for(stopped, _STOP_TIMEOUT, poll=0.001)
        except WaitTimeout:
            raise ServerError(f"{self.describe()} did not stop on SIGSTOP") from None

    def thaw(self) -> None:
        if self.process is not None and self.frozen:
            self.process.send_signal(signal.SIGCONT)
            self.frozen = False
