"""A network namespace made for one run, with its loopback up and short TCP timers.

Client and server both live inside it and talk over its loopback, so its sysctls govern both
ends: a keepalive of 1 s / 1 s / 2 probes makes a silently dropped idle connection fail with
ETIMEDOUT in about three seconds instead of two hours.

The calling thread enters the namespace with :meth:`NetworkNamespace.entered`; threads it starts
inside inherit it; processes enter it through :meth:`NetworkNamespace.preexec`.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import itertools
import logging
import os
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from chaos import lifecycle
from chaos.errors import NetworkNamespaceError
from chaos.netns.capability import require_net_admin, tool
from chaos.netns.leftovers import NAMESPACE_PREFIX, remove_stale_namespaces
from chaos.owner import owner_tag
from chaos.sweep import sweep_once

__all__ = ["KeepaliveTiming", "NetworkNamespace", "remove_stale_namespaces"]

log = logging.getLogger(__name__)

_CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
_counter = itertools.count(1)


@dataclass(frozen=True)
class KeepaliveTiming:
    """TCP keepalive sysctls: idle seconds before the first probe, interval, probe count."""

    idle: int = 1
    interval: int = 1
    probes: int = 2

    @property
    def detection_seconds(self) -> int:
        """How long a silently dropped idle connection takes to fail."""
        return self.idle + self.interval * self.probes


def _setns(fd: int) -> None:
    if _libc.setns(fd, _CLONE_NEWNET) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"setns: {os.strerror(errno)}")


def _run(args: list[str], input_text: str | None = None) -> str:
    """Run ``args``; a failure is an error of the run (a broken rule), never a reason to skip."""
    try:
        result = subprocess.run(args, input=input_text, capture_output=True, text=True, check=False)
    except OSError as e:
        raise NetworkNamespaceError(f"cannot run {args[0]}: {e.strerror}") from e
    if result.returncode != 0:
        why = result.stderr.strip().replace("\n", " | ") or f"exit status {result.returncode}"
        raise NetworkNamespaceError(f"{' '.join(args)} failed: {why}")
    return result.stdout


class NetworkNamespace(lifecycle.Resource):
    """``ip netns add`` on start, ``ip netns delete`` on stop (which also drops its nft tables)."""

    def __init__(self, keepalive: KeepaliveTiming | None = None, tcp_retries2: int = 3) -> None:
        self.keepalive = keepalive or KeepaliveTiming()
        # Unacknowledged data is retransmitted ~tcp_retries2 times before ETIMEDOUT (default 15,
        # about 15 minutes); 3 makes a write into a black hole fail in a few seconds.
        self.tcp_retries2 = tcp_retries2
        # The owner's pid and start time: a sweep tells a dead owner's namespace from a live one.
        self.name = f"{NAMESPACE_PREFIX}-{owner_tag()}-{next(_counter)}"
        self._fd: int | None = None
        self._cleanup_key: int | None = None

    @property
    def path(self) -> str:
        return f"/run/netns/{self.name}"

    def _start(self) -> None:
        require_net_admin()
        sweep_once()
        ip = tool("ip")
        _run([ip, "netns", "add", self.name])
        self._cleanup_key = lifecycle.register_cleanup(self.stop)
        _run([ip, "-n", self.name, "link", "set", "lo", "up"])
        k = self.keepalive
        _run(
            [
                ip,
                "netns",
                "exec",
                self.name,
                tool("sysctl"),
                "-q",
                "-w",
                f"net.ipv4.tcp_keepalive_time={k.idle}",
                f"net.ipv4.tcp_keepalive_intvl={k.interval}",
                f"net.ipv4.tcp_keepalive_probes={k.probes}",
                f"net.ipv4.tcp_retries2={self.tcp_retries2}",
            ]
        )
        self._fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
        log.info("network namespace %s up", self.name)

    def stop(self) -> None:
        """Delete the namespace. Processes still inside keep it alive: stop them first."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if os.path.exists(self.path):
            subprocess.run(
                [tool("ip"), "netns", "delete", self.name],
                capture_output=True,
                check=False,
            )
        if self._cleanup_key is not None:
            lifecycle.unregister_cleanup(self._cleanup_key)
            self._cleanup_key = None

    def exec_args(self, args: list[str]) -> list[str]:
        """``args`` run inside the namespace."""
        return [tool("ip"), "netns", "exec", self.name, *args]

    def run(self, args: list[str], input_text: str | None = None) -> None:
        _run(self.exec_args(args), input_text)

    def output(self, args: list[str]) -> str:
        return _run(self.exec_args(args))

    def preexec(self) -> Callable[[], None]:
        """A ``preexec_fn`` that moves the child into this namespace before exec."""
        if self._fd is None:
            raise NetworkNamespaceError(f"namespace {self.name} is not started")
        fd = self._fd

        def enter() -> None:
            _setns(fd)

        return enter

    @contextlib.contextmanager
    def entered(self) -> Iterator[NetworkNamespace]:
        """Move the calling thread into the namespace; sockets made inside stay there."""
        if self._fd is None:
            raise NetworkNamespaceError(f"namespace {self.name} is not started")
        original = os.open("/proc/thread-self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
        try:
            _setns(self._fd)
            try:
                yield self
            finally:
                _setns(original)
        finally:
            os.close(original)
