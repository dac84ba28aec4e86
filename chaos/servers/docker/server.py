"""A MariaDB/MySQL container as a disposable server, with every verb of the local backend.

The container runs the server as PID 1 on 127.0.0.1 in the host's network (or in a namespace the
suite made, for kernel faults), so the host port never changes across stop/start: restart, kill
and crash recovery happen in the same container, on the same datadir, on the same port.

Least privilege as for the local backend: clients get ``app`` with a password made for this
container; root answers only on the Unix socket, which sits in a 0700 directory of the owner's
bind-mounted into the container. Every container carries the owner label, so a container a
SIGKILLed owner left running is removed by the next run's sweep (:mod:`chaos.sweep`).
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import secrets
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pymysql

from chaos import lifecycle
from chaos.errors import ServerError
from chaos.owner import owned_prefix, owner_tag
from chaos.ports import free_port
from chaos.servers.docker.engine import engine_client, import_docker, owner_labels
from chaos.servers.docker.image import LOCAL_BASE, server_image
from chaos.servers.owned import OwnedServer
from chaos.sweep import sweep_once
from chaos.waiting import WaitTimeout, wait_for

if TYPE_CHECKING:
    from chaos.netns import NetworkNamespace

log = logging.getLogger(__name__)

_START_TIMEOUT = 60.0
_STOP_TIMEOUT = 15
_PORT_ATTEMPTS = 5
_counter = itertools.count(1)


class DockerServer(OwnedServer):
    """A container of the suite's server image on ``base`` (see :mod:`.image`)."""

    def __init__(
        self,
        base: str = LOCAL_BASE,
        options: dict[str, str | int] | None = None,
        namespace: NetworkNamespace | None = None,
        name: str = "mysql-chaos",
    ) -> None:
        """``options``: extra server options; ``namespace``: run inside it (podman only)."""
        self.base = base
        self.options = dict(options or {})
        self.namespace = namespace
        self.name = name
        self.host = "127.0.0.1"
        self.port: int | None = None
        self.image: str | None = None
        self.container: Any = None
        self.workdir: Path | None = None
        self.frozen = False
        self._client: Any = None
        self._app_password: str | None = None
        self._cleanup_key: int | None = None

    # -- settings -----------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._state() == "running"

    def describe(self) -> str:
        where = f"{self.host}:{self.port}" if self.port else "not started"
        return f"docker server {self.name} ({where})"

    def _state(self) -> str | None:
        if self.container is None:
            return None
        self.container.reload()
        return str(self.container.attrs["State"]["Status"])

    @property
    def exit_code(self) -> int | None:
        """The container's last exit status (137 after a SIGKILL), ``None`` while it runs."""
        if self._state() in (None, "running", "paused"):
            return None
        return int(self.container.attrs["State"]["ExitCode"])

    def log_text(self) -> str:
        """Everything the server wrote to stderr since the container was made."""
        if self.container is None:
            return ""
        return self.container.logs().decode(errors="replace")

    # -- lifecycle ----------------------------------------------------------------------------
    def _start(self) -> None:
        """Create the container on first start (building the image if no run did), else start
        the stopped one; return once the server answers."""
        if self.container is not None and self.running:
            return
        if self.container is None:
            self._create()
        else:
            self._start_and_wait()

    def _create(self) -> None:
        sweep_once()
        self._client = engine_client()
        self.image = server_image(self._client, self.base)
        self.workdir = Path(tempfile.mkdtemp(prefix=owned_prefix("docker")))
        self._cleanup_key = lifecycle.register_cleanup(self.stop)
        self._app_password = secrets.token_urlsafe(24)
        for _attempt in range(_PORT_ATTEMPTS):
            self.port = free_port(self.host)
            self.container = self._client.containers.create(
                self.image,
                command=[f"--{k.replace('_', '-')}={v}" for k, v in self.options.items()],
                name=f"mysql-chaos-{owner_tag()}-{next(_counter)}",
                environment={"MYSQL_CHAOS_PORT": str(self.port)},
                labels=owner_labels(),
                network_mode=f"ns:{self.namespace.path}" if self.namespace else "host",
                volumes={str(self.workdir): {"bind": "/run/mysqld", "mode": "rw"}},
            )
            try:
                self._start_and_wait()
                return
            except _PortTaken:
                log.info("port %s was taken meanwhile; trying another", self.port)
                self._remove_container()
        raise ServerError(f"{self.describe()}: no free port after {_PORT_ATTEMPTS} attempts")

    def _start_and_wait(self) -> None:
        docker = import_docker()
        try:
            self.container.start()
        except docker.errors.APIError as e:
            raise ServerError(f"{self.describe()}: the engine cannot start it: {e}") from e
        self.frozen = False
        attempts = itertools.count()

        def answers() -> bool:
            attempt = next(attempts)
            try:
                pymysql.connect(**self.admin_settings.pymysql_kwargs(connect_timeout=1)).close()
                return True
            except pymysql.err.MySQLError:
                # Asking the engine costs an HTTP round trip: only every tenth poll.
                if attempt % 10 == 9 and self._state() != "running":
                    if "Address already in use" in self.log_text():
                        raise _PortTaken from None
                    raise ServerError(
                        f"{self.describe()} failed to start: {self._log_tail()}"
                    ) from None
                raise

        try:
            wait_for(answers, _START_TIMEOUT, transient=(pymysql.err.MySQLError,))
        except WaitTimeout:
            raise ServerError(
                f"{self.describe()} did not answer within {_START_TIMEOUT} s"
            ) from None
        self._unlock_app_user()

    def _log_tail(self, lines: int = 3) -> str:
        text = self.log_text().splitlines()
        interesting = [line for line in text if "[ERROR]" in line] or text
        return " | ".join(line.strip() for line in interesting[-lines:]) or "(empty log)"

    def _remove_container(self) -> None:
        container, self.container = self.container, None
        if container is None:
            return
        docker = import_docker()
        with contextlib.suppress(docker.errors.APIError):
            if self.frozen:
                container.unpause()  # some engines refuse to remove a paused container
        with contextlib.suppress(docker.errors.NotFound):
            container.remove(force=True, v=True)
        self.frozen = False

    def stop(self) -> None:
        """Remove the container and the socket directory. Idempotent."""
        self._remove_container()
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None
        self._app_password = None
        self.port = None
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cleanup_key is not None:
            lifecycle.unregister_cleanup(self._cleanup_key)
            self._cleanup_key = None

    # -- process verbs ------------------------------------------------------------------------
    def _require_container(self) -> Any:
        if self.container is None:
            raise ServerError(f"{self.describe()} is not running")
        return self.container

    def shutdown(self) -> None:
        """Clean shutdown (SIGTERM), keeping the container, its datadir and port."""
        self.thaw()
        self._require_container().stop(timeout=_STOP_TIMEOUT)

    def restart(self) -> None:
        """Clean shutdown and start of the same container: same port, same data."""
        self.shutdown()
        self._start_and_wait()

    def kill(self, restart: bool = True) -> None:
        """SIGKILL to the server (PID 1); with ``restart`` start again through crash recovery."""
        container = self._require_container()
        self.thaw()
        container.kill(signal="SIGKILL")
        container.wait(timeout=_STOP_TIMEOUT)
        if restart:
            self._start_and_wait()

    def freeze(self) -> None:
        """Pause (the cgroup freezer): TCP still connects, nothing answers. The engine returns
        once every process of the container is frozen."""
        if self._state() != "running":
            raise ServerError(f"{self.describe()} is not running")
        self.container.pause()
        self.frozen = True

    def thaw(self) -> None:
        if self.container is not None and self.frozen:
            self.container.unpause()
            self.frozen = False


class _PortTaken(Exception):
    """The server could not bind its port: another process took it after free_port()."""
