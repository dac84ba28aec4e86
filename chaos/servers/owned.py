"""What the backends that start their own server share: how clients and the suite reach it.

Clients connect over TCP as the unprivileged ``app`` account, with the password made for this
server at its start; the suite administers it as root over the Unix socket in the server's
private (0700) work directory, so no superuser is reachable over TCP.
"""

from __future__ import annotations

from pathlib import Path

from chaos.errors import ServerError
from chaos.servers.base import MySQLServer
from chaos.servers.template import APP_USER
from chaos.settings import ConnectionSettings


class OwnedServer(MySQLServer):
    """Base of :class:`~chaos.servers.local.LocalServer` and the container backend."""

    controls_process = True

    host: str
    port: int | None
    workdir: Path | None
    _app_password: str | None

    @property
    def settings(self) -> ConnectionSettings:
        if self.port is None or self._app_password is None:
            raise ServerError("server not started")
        return ConnectionSettings(
            host=self.host, port=self.port, user=APP_USER, password=self._app_password
        )

    @property
    def socket_path(self) -> str:
        if self.workdir is None:
            raise ServerError("server not started")
        return str(self.workdir / "mysqld.sock")

    @property
    def admin_settings(self) -> ConnectionSettings:
        # The Unix socket reaches the server from any network namespace and through no proxy.
        return ConnectionSettings(user="root", unix_socket=self.socket_path)

    def _unlock_app_user(self) -> None:
        """Give the app account this server's password (the template keeps it locked).

        Run at every start, not only the first: the grant tables are Aria, and a kill right
        after the first start must not bring back the locked account.
        """
        conn = self.admin_connect()
        try:
            with conn.cursor() as cursor:
                cursor.execute(
                    f"ALTER USER '{APP_USER}'@'%%' IDENTIFIED BY %s ACCOUNT UNLOCK",
                    (self._app_password,),
                )
        finally:
            conn.close()

    def use_app_password(self, password: str) -> None:
        """Give the app account ``password`` instead of the one made at start (a standby takes
        the first server's, as a replica has its primary's accounts); kept over restarts."""
        if self.port is None:
            raise ServerError("server not started")
        self._app_password = password
        self._unlock_app_user()
