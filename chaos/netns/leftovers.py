"""The namespaces of dead owners: found by their name, removed by the sweep (:mod:`chaos.sweep`).

A namespace is named ``mchaos-<owner tag>-<n>``; its nftables tables live inside it and go with
it. A process still inside one keeps it alive after ``ip netns delete``, so the sweep kills those
first (:meth:`StaleNamespace.holds`).
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
from dataclasses import dataclass

from chaos.netns.capability import tool
from chaos.owner import owner_alive
from chaos.sweep import RunningProcess

log = logging.getLogger(__name__)

#: Every network namespace the suite makes starts with this.
NAMESPACE_PREFIX = "mchaos"
NETNS_DIR = "/run/netns"

_OWNED_NAMESPACE = re.compile(rf"^{NAMESPACE_PREFIX}-(\d+)-(\d+)-\d+$")
# Names from before namespaces carried a start time: only the PID can be checked.
_LEGACY_NAMESPACE = re.compile(rf"^{NAMESPACE_PREFIX}-(\d+)-\d+$")


@dataclass(frozen=True)
class StaleNamespace:
    """A namespace whose owner is dead."""

    namespace: str
    inode: int | None  # None: gone meanwhile, nothing can be inside it

    @property
    def name(self) -> str:
        return f"namespace {self.namespace}"

    def holds(self, process: RunningProcess) -> bool:
        return self.inode is not None and process.net_namespace == self.inode

    def remove(self) -> bool:
        result = subprocess.run(
            [tool("ip"), "netns", "delete", self.namespace],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            log.warning("cannot delete namespace %s: %s", self.namespace, result.stderr.strip())
        return result.returncode == 0


def stale_namespaces() -> list[StaleNamespace]:
    found = []
    for name in _listdir(NETNS_DIR):
        if _is_stale(name):
            try:
                inode: int | None = os.stat(f"{NETNS_DIR}/{name}").st_ino
            except OSError:
                inode = None
            found.append(StaleNamespace(name, inode))
    return found


def remove_stale_namespaces() -> list[str]:
    """Delete namespaces whose owner process is gone (their nftables tables go with them)."""
    return [stale.namespace for stale in stale_namespaces() if stale.remove()]


def _is_stale(name: str) -> bool:
    match = _OWNED_NAMESPACE.match(name)
    if match:
        return not owner_alive(int(match.group(1)), int(match.group(2)))
    legacy = _LEGACY_NAMESPACE.match(name)
    return bool(legacy) and not os.path.exists(f"/proc/{legacy.group(1)}")


def _listdir(path: str) -> list[str]:
    try:
        return os.listdir(path)
    except OSError:
        return []
