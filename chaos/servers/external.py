"""A server the suite does not own: a CI service container, the machine's own MariaDB.

Only the faults that need no process control run against it (idle timeout, kill-connection, and
everything through a proxy).
"""

from __future__ import annotations

from chaos.servers.base import MySQLServer
from chaos.settings import ConnectionSettings


class ExternalServer(MySQLServer):
    controls_process = False

    def __init__(self, settings: ConnectionSettings) -> None:
        self._settings = settings

    @classmethod
    def from_url(cls, url: str) -> ExternalServer:
        return cls(ConnectionSettings.from_url(url))

    @property
    def settings(self) -> ConnectionSettings:
        return self._settings

    def _start(self) -> None:
        # Fail early and clearly if it is not there.
        self.query("SELECT 1")

    def describe(self) -> str:
        return f"external server {self._settings.host}:{self._settings.port}"
