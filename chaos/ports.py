"""Loopback ports: pick a free one, or say clearly that a requested one is taken."""

from __future__ import annotations

import errno
import socket

from chaos.errors import PortInUseError


def free_port(host: str = "127.0.0.1") -> int:
    """An ephemeral port that was free a moment ago (the caller retries if it loses the race)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def ensure_port_free(host: str, port: int) -> None:
    """Raise :class:`PortInUseError` if ``host:port`` cannot be bound right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as e:
            if e.errno == errno.EADDRINUSE:
                raise PortInUseError(f"port {host}:{port} is already in use") from e
            raise PortInUseError(f"cannot bind {host}:{port}: {e.strerror}") from e
