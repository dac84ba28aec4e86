"""HTTP/1.1 over a Unix socket, with the standard library only: how a run reaches its app servers.

A run's app servers listen on a socket file in the run's own 0700 directory, not on a loopback
TCP port: any local user can connect to a loopback port (another user once posted hundreds of
foreign ``/transfer`` requests per run into an app cell and changed its verdict), while the
socket file can only be reached by the directory's owner (and root). Imported by the load
client processes, so it must stay free of anything but the standard library.
"""

from __future__ import annotations

import http.client
import socket


class UnixHTTPConnection(http.client.HTTPConnection):
    """:class:`http.client.HTTPConnection` to the server listening on ``socket_path``."""

    def __init__(self, socket_path: str, timeout: float | None = None) -> None:
        super().__init__("localhost", timeout=timeout)
        self.socket_path = socket_path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(self.timeout)
            sock.connect(self.socket_path)
        except BaseException:
            sock.close()
            raise
        self.sock = sock
