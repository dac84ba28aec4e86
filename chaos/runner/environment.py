"""The world one matrix cell runs in: a server, maybe a namespace around it, maybe a proxy.

Each cell gets what its fault needs and nothing more: a namespace only for kernel faults, a
proxy only for proxy faults, a second server only for a fault that fails over to one, a replica
only for a fault that lags one. A cell on an external server gets a database of its own.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from chaos.errors import FaultError
from chaos.faults.base import Fault, FaultTarget, Need
from chaos.lifecycle import Resource
from chaos.netns import NetworkNamespace, require_net_admin
from chaos.servers.base import MySQLServer
from chaos.servers.binary import find_server_binary
from chaos.servers.external import ExternalServer
from chaos.servers.local import LocalServer
from chaos.servers.owned import OwnedServer
from chaos.servers.replication import ReplicatedPair
from chaos.settings import ConnectionSettings, redact_url
from chaos.verdicts.expectations import MARIADB, MYSQL

log = logging.getLogger(__name__)
_cell_numbers = itertools.count(1)


@dataclass(frozen=True)
class Backend:
    """Which server a run uses: disposable local (default), a container, or an external URL.

    ``allow_global_changes`` lets faults change GLOBAL variables (``wait_timeout``) of the
    external server; they restore them afterwards. Without it those faults skip there.
    """

    # repr=False: the URL may hold a password, and a Backend ends up in logs and reprs.
    external_url: str | None = field(default=None, repr=False)
    server_binary: str | None = None
    allow_global_changes: bool = False
    #: Disposable servers in containers on this base (``local``: built from Debian's packages).
    docker_image: str | None = None
    #: A user's extra options for disposable local servers, checked
    #: (:func:`chaos.servers.server_options.check_server_options`).
    server_options: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.docker_image:
            return f"disposable container on {self.docker_image}"
        if self.external_url:
            return f"external server {ConnectionSettings.from_url(self.external_url).describe()}"
        if self.server_binary == "mysql":
            return "disposable Oracle MySQL server (its root filesystem)"
        return "disposable local server"

    def command_args(self) -> list[str]:
        """The command-line options that select this backend, for a printed replay (a URL's
        password left out: the reader puts it back)."""
        if self.external_url:
            return ["--server-url", redact_url(self.external_url)]
        if self.docker_image:
            return ["--server", f"docker:{self.docker_image}"]
        if self.server_binary:
            return ["--server", self.server_binary]
        return []

    def flavour(self) -> str:
        """Which server flavour the cells run on (``mariadb`` or ``mysql``): whose expected
        verdicts and ``produces`` hold. A local binary says it without starting; an external
        server is asked its version (one query); a container runs what the image installs:
        MySQL on the MySQL flavour's root filesystem (``docker:local-mysql``), else Debian's
        MariaDB unless the base image already holds a server, which it cannot know before the
        container runs: such a container is taken as MariaDB."""
        if self.external_url:
            version = ExternalServer.from_url(self.external_url).query("SELECT VERSION()")[0][0]
            return MARIADB if "mariadb" in str(version).lower() else MYSQL
        if self.docker_image:
            from chaos.servers.docker.image import LOCAL_MYSQL_BASE  # the docker extra is optional

            return MYSQL if self.docker_image == LOCAL_MYSQL_BASE else MARIADB
        return find_server_binary(self.server_binary).flavor

    def __repr__(self) -> str:
        url = redact_url(self.external_url) if self.external_url else None
        return (
            f"Backend(external_url={url!r}, server_binary={self.server_binary!r}, "
            f"allow_global_changes={self.allow_global_changes!r}, "
            f"docker_image={self.docker_image!r}, server_options={self.server_options!r})"
        )


class CellEnvironment(Resource):
    """Start with :meth:`start` (or ``with``); everything is stopped by :meth:`stop`, also when
    :meth:`start` itself fails (the lifecycle base's rule)."""

    def __init__(self, fault: type[Fault], backend: Backend, toxiproxy: Any = None) -> None:
        self.fault = fault
        self.backend = backend
        self.toxiproxy = toxiproxy
        self.name = f"cell-{os.getpid()}-{next(_cell_numbers)}"
        self.namespace: NetworkNamespace | None = None
        self.server: MySQLServer | None = None
        self.standby: OwnedServer | None = None
        self.pair: ReplicatedPair | None = None
        self.proxy: Any = None
        self._database: str | None = None
        self.target: FaultTarget | None = None

    def _start(self) -> None:
        needs = self.fault.needs
        if Need.NETNS in needs:
            require_net_admin()  # the pre-flight said yes; this only guards direct callers
            self.namespace = NetworkNamespace().start()
        if self.backend.external_url and Need.NETNS not in needs:
            self.server = self._external_server()
        elif Need.REPLICA in needs:
            # A primary with its binary log and a replica following it, started together.
            self.pair = ReplicatedPair(
                binary=self.backend.server_binary,
                name=self.name,
                preexec=self.namespace.preexec() if self.namespace else None,
                args=self.backend.server_options,
            ).start()
            self.server = self.pair.primary
        else:
            self.server = self._disposable_server(self.name)
        if Need.STANDBY in needs:
            # Same flavour, same place; the client's account and password as on the first
            # server, as a replica has them: a client moved there logs in as before.
            self.standby = self._disposable_server(f"{self.name}-standby")
            self.standby.use_app_password(self.server.settings.password)
        client = self.server.settings
        if Need.PROXY in needs:
            if self.toxiproxy is None:
                raise FaultError(Need.PROXY.reason)
            self.proxy = self.toxiproxy.create_proxy(
                self.name, upstream=f"{client.host}:{client.port}", listen="127.0.0.1:0"
            )
            client = replace(client, host=self.proxy.listen_host, port=self.proxy.listen_port)
        self.target = FaultTarget(
            server=self.server,
            client_settings=client,
            admin_settings=self.server.admin_settings,
            proxy=self.proxy,
            namespace=self.namespace,
            allow_global_changes=self.backend.allow_global_changes,
            standby=self.standby,
            replica=self.pair.replica if self.pair is not None else None,
        )

    def _disposable_server(self, name: str) -> OwnedServer:
        if self.backend.docker_image:
            from chaos.servers.docker import DockerServer  # the docker extra is optional

            return DockerServer(
                base=self.backend.docker_image, namespace=self.namespace, name=name
            ).start()
        preexec = self.namespace.preexec() if self.namespace else None
        return LocalServer(
            binary=self.backend.server_binary,
            preexec=preexec,
            name=name,
            args=self.backend.server_options,
        ).start()

    def _external_server(self) -> MySQLServer:
        assert self.backend.external_url is not None
        base = ExternalServer.from_url(self.backend.external_url).start()
        # A database per cell keeps cells apart on a server they share.
        database = f"mchaos_{self.name.replace('-', '_')}"
        base.query(f"CREATE DATABASE `{database}`")
        # Only a database that was made is dropped again (a refused CREATE leaves nothing).
        self._external_base, self._database = base, database
        return ExternalServer(replace(base.settings, database=database))

    def stop(self) -> None:
        """Idempotent; each step runs even when an earlier one fails."""
        steps = [
            self._delete_proxy,
            self._stop_server,
            self._stop_standby,
            self._stop_pair,
            self._drop_database,
            self._stop_namespace,
        ]
        for step in steps:
            try:
                step()
            except Exception as e:
                log.warning("cell cleanup step %s failed: %s", step.__name__, e)
                log.debug("cell cleanup step %s failed", step.__name__, exc_info=True)

    def _delete_proxy(self) -> None:
        if self.proxy is not None:
            proxy, self.proxy = self.proxy, None
            proxy.delete()

    def _stop_server(self) -> None:
        if self.server is not None:
            server, self.server = self.server, None
            server.stop()

    def _stop_standby(self) -> None:
        if self.standby is not None:
            standby, self.standby = self.standby, None
            standby.stop()

    def _stop_pair(self) -> None:
        if self.pair is not None:
            pair, self.pair = self.pair, None
            pair.stop()

    def _drop_database(self) -> None:
        if self._database is not None:
            database, self._database = self._database, None
            self._external_base.query(f"DROP DATABASE IF EXISTS `{database}`")

    def _stop_namespace(self) -> None:
        if self.namespace is not None:
            namespace, self.namespace = self.namespace, None
            namespace.stop()

    @contextlib.contextmanager
    def entered(self) -> Iterator[None]:
        """Run the block (and the threads it starts) inside the cell's namespace, if any."""
        if self.namespace is None:
            yield
        else:
            with self.namespace.entered():
                yield
