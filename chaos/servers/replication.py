"""A primary and its GTID replica: two disposable MariaDB servers, the second replicating the first.

What a read-splitting client meets in production: writes go to the primary, reads to a replica
that applies the primary's binary log a little later. Here the replica is real (MariaDB's own
replication, ``MASTER_USE_GTID=slave_pos``), so a stopped SQL thread holds back exactly what a
lagging replica holds back, and ``MASTER_GTID_WAIT`` means what it means in the field.

Least privilege as for one server: the replica logs in to the primary as a replication account
made for this pair (a random password, ``REPLICATION SLAVE`` only, from 127.0.0.1 only); the
replica is ``read_only`` (the app account cannot write there, as on a managed replica) and has
the primary's app password, as a replica has its primary's accounts. MariaDB only: Oracle
MySQL's words for all this differ (``CHANGE REPLICATION SOURCE``, ``WAIT_FOR_EXECUTED_GTID_SET``).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Sequence

from chaos.errors import ServerError
from chaos.lifecycle import Resource
from chaos.servers.local import LocalServer
from chaos.waiting import WaitTimeout, wait_for

log = logging.getLogger(__name__)

#: What the primary needs on top of a LocalServer's options: a binary log, a server id of its
#: own. Later options win, so these undo LocalServer's ``--skip-log-bin``.
PRIMARY_OPTIONS: dict[str, str | int] = {"server_id": 1, "log_bin": "primary-bin"}
REPLICA_OPTIONS: dict[str, str | int] = {"server_id": 2, "read_only": 1}
REPLICATION_USER = "chaos_repl"
_REPLICATION_ACCOUNT = f"'{REPLICATION_USER}'@'127.0.0.1'"
_CONNECTED_TIMEOUT = 10.0


class ReplicatedPair(Resource):
    """``primary`` and ``replica``, both :class:`LocalServer`; start with :meth:`start` (or
    ``with``), :meth:`stop` stops both, also when the start failed part way."""

    def __init__(
        self,
        binary: str | None = None,
        name: str = "mysql-chaos",
        preexec: Callable[[], None] | None = None,
        args: Sequence[str] = (),
    ) -> None:
        self.primary = LocalServer(
            binary=binary, options=PRIMARY_OPTIONS, preexec=preexec, name=name, args=args
        )
        self.replica = LocalServer(
            binary=binary,
            options=REPLICA_OPTIONS,
            preexec=preexec,
            name=f"{name}-replica",
            args=args,
        )

    def _start(self) -> None:
        self.primary.start()
        self.replica.start()
        self.replica.use_app_password(self.primary.settings.password)
        password = secrets.token_urlsafe(24)
        self._create_replication_account(password)
        self._follow_primary(password)

    def _create_replication_account(self, password: str) -> None:
        conn = self.primary.admin_connect()
        try:
            with conn.cursor() as cursor:
                # Not in the binary log: the replica has no use for the account.
                cursor.execute("SET SESSION sql_log_bin = 0")
                cursor.execute(f"CREATE USER {_REPLICATION_ACCOUNT} IDENTIFIED BY %s", (password,))
                cursor.execute(f"GRANT REPLICATION SLAVE ON *.* TO {_REPLICATION_ACCOUNT}")
        finally:
            conn.close()

    def _follow_primary(self, password: str) -> None:
        primary = self.primary.settings
        conn = self.replica.admin_connect()
        try:
            with conn.cursor() as cursor:
                cursor.execute(
                    "CHANGE MASTER TO MASTER_HOST=%s, MASTER_PORT=%s, MASTER_USER=%s, "
                    "MASTER_PASSWORD=%s, MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1",
                    (primary.host, primary.port, REPLICATION_USER, password),
                )
                cursor.execute("START SLAVE")
        finally:
            conn.close()
        self._wait_running()

    def _wait_running(self) -> None:
        """Both replication threads up: the IO thread has logged in to the primary."""

        def running() -> bool:
            status = self.replica_status()
            if status.get("Last_IO_Error") or status.get("Last_SQL_Error"):
                raise ServerError(
                    f"replica failed: {status.get('Last_IO_Error') or status.get('Last_SQL_Error')}"
                )
            return status.get("Slave_IO_Running") == "Yes" and (
                status.get("Slave_SQL_Running") == "Yes"
            )

        try:
            wait_for(running, _CONNECTED_TIMEOUT, poll=0.02)
        except WaitTimeout:
            raise ServerError(f"replica not running: {self.replica_status()}") from None

    def replica_status(self) -> dict[str, str]:
        """``SHOW SLAVE STATUS`` on the replica, by column name (empty: not replicating)."""
        return replica_status(self.replica)

    def stop(self) -> None:
        """Idempotent: the replica first (it would retry its lost primary), then the primary."""
        try:
            self.replica.stop()
        finally:
            self.primary.stop()


def replica_status(server: LocalServer) -> dict[str, str]:
    """``SHOW SLAVE STATUS`` on ``server``, by column name (empty: not replicating)."""
    conn = server.admin_connect()
    try:
        with conn.cursor() as cursor:
            cursor.execute("SHOW SLAVE STATUS")
            row = cursor.fetchone()
            names = [column[0] for column in cursor.description or ()]
    finally:
        conn.close()
    return {} if row is None else {name: str(value) for name, value in zip(names, row, strict=True)}


def catch_up(primary: LocalServer, replica: LocalServer, timeout: float) -> str:
    """Wait until ``replica`` has applied everything ``primary`` has logged; returns that
    position. Raises :class:`ServerError` when it has not within ``timeout`` seconds."""
    (position,) = primary.query("SELECT @@GLOBAL.gtid_binlog_pos")[0]
    (answer,) = replica.query("SELECT MASTER_GTID_WAIT(%s, %s)", (position, timeout))[0]
    if int(answer) != 0:
        raise ServerError(f"replica did not reach {position} within {timeout} s")
    return str(position)
