"""Everything a run makes names its owner; one sweep removes what dead owners left behind.

A run killed with SIGKILL runs no cleanup code, so whatever it made on disk or in the kernel stays:
datadirs in /dev/shm (RAM), check temp dirs, network namespaces with their nftables tables, and any
server that outlived it. Each of those carries its owner's PID *and start time* (field 22 of
/proc/PID/stat) in its name, so a later run can tell a dead owner from a live one, even when the
PID has been reused meanwhile.

The sweep is cheap when there is nothing to do (one listing each of /dev/shm, the temp dir and
/run/netns); it reads /proc only when something stale was found. Containers, networks and
volumes of the docker backend carry the owner tag in a label; they are looked for only when a
container engine's socket is there and the ``docker`` package is installed.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

#: Every directory the suite makes starts with this (then an optional kind, then the owner tag).
DIR_PREFIX = "mysql-chaos-"
#: Every network namespace the suite makes starts with this.
NAMESPACE_PREFIX = "mchaos"
#: The label naming the owner on every container, network and volume the docker backend makes.
OWNER_LABEL = "io.mysql-chaos.owner"
NETNS_DIR = "/run/netns"
SCRATCH_DIR = "/dev/shm"

_OWNED_DIR = re.compile(rf"^{DIR_PREFIX}(?:[a-z]+-)?(\d+)-(\d+)-")
_OWNED_NAMESPACE = re.compile(rf"^{NAMESPACE_PREFIX}-(\d+)-(\d+)-\d+$")
# Names from before namespaces carried a start time: only the PID can be checked.
_LEGACY_NAMESPACE = re.compile(rf"^{NAMESPACE_PREFIX}-(\d+)-\d+$")
_KILL_WAIT = 5.0

_swept_in: int | None = None
_sweep_lock = threading.Lock()


def process_start_time(pid: int) -> int | None:
    """Field 22 of /proc/PID/stat (clock ticks after boot), or ``None`` if there is no such PID.

    A zombie whose threads are all gone counts as absent: it is dead, only its exit status waits
    for a parent to collect it.
    """
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    # fields[0] is field 3 (the state); field 22 is therefore fields[19].
    if fields[0] == "Z" and len(_listdir(f"/proc/{pid}/task")) <= 1:
        return None
    return int(fields[19])


def owner_alive(pid: int, start_time: int) -> bool:
    return process_start_time(pid) == start_time


_tag_cache: tuple[int, str] | None = None


def owner_tag() -> str:
    """``PID-STARTTIME`` of this process (recomputed after a fork: the child is its own owner)."""
    global _tag_cache
    pid = os.getpid()
    if _tag_cache is None or _tag_cache[0] != pid:
        _tag_cache = (pid, f"{pid}-{process_start_time(pid)}")
    return _tag_cache[1]


def owned_prefix(kind: str = "") -> str:
    """A ``mkdtemp`` prefix naming this process as the owner (``kind`` tells dirs apart)."""
    return f"{DIR_PREFIX}{kind + '-' if kind else ''}{owner_tag()}-"


def _listdir(path: str) -> list[str]:
    try:
        return os.listdir(path)
    except OSError:
        return []


def _mine_to_remove(path: Path) -> bool:
    """Root may remove anything; another user only what it owns (the rest it cannot delete)."""
    try:
        return os.geteuid() == 0 or path.lstat().st_uid == os.geteuid()
    except OSError:
        return False


@dataclass
class Leftovers:
    """What dead owners left: directories, namespaces, and processes found through them."""

    directories: list[Path]
    namespaces: list[str]

    def __bool__(self) -> bool:
        return bool(self.directories or self.namespaces)


def find_leftovers() -> Leftovers:
    directories = []
    roots = {SCRATCH_DIR, tempfile.gettempdir()}
    for root in sorted(roots):
        for name in _listdir(root):
            match = _OWNED_DIR.match(name)
            if match and not owner_alive(int(match.group(1)), int(match.group(2))):
                path = Path(root) / name
                if _mine_to_remove(path):
                    directories.append(path)
    namespaces = [name for name in _listdir(NETNS_DIR) if _namespace_is_stale(name)]
    return Leftovers(directories, namespaces)


def _namespace_is_stale(name: str) -> bool:
    match = _OWNED_NAMESPACE.match(name)
    if match:
        return not owner_alive(int(match.group(1)), int(match.group(2)))
    legacy = _LEGACY_NAMESPACE.match(name)
    return bool(legacy) and not os.path.exists(f"/proc/{legacy.group(1)}")


def _stray_processes(leftovers: Leftovers) -> dict[int, str]:
    """Processes that still run from a dead owner: a server whose datadir is one of the stale
    directories (found in its command line), or anything inside a stale namespace."""
    paths = [str(path) + "/" for path in leftovers.directories]
    namespace_inodes = {}
    for name in leftovers.namespaces:
        try:
            namespace_inodes[os.stat(f"{NETNS_DIR}/{name}").st_ino] = name
        except OSError:
            continue
    found: dict[int, str] = {}
    for entry in _listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                command = cmdline.read().decode(errors="replace").replace("\0", " ")
        except OSError:
            continue
        if any(path in command for path in paths):
            found[int(entry)] = command.strip()
            continue
        try:
            inode = os.stat(f"/proc/{entry}/ns/net").st_ino
        except OSError:
            continue
        if inode in namespace_inodes:
            found[int(entry)] = command.strip()
    return found


def _kill_and_wait(pids: dict[int, str]) -> list[int]:
    killed = []
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
        except OSError:
            continue  # exited meanwhile, or not ours to kill
    # A server that still has files open in its datadir could recreate them after rmtree.
    deadline = time.monotonic() + _KILL_WAIT
    while any(process_start_time(pid) is not None for pid in killed):
        if time.monotonic() > deadline:
            log.warning("processes %s did not die on SIGKILL", killed)
            break
        time.sleep(0.01)
    return killed


def remove_stale_namespaces() -> list[str]:
    """Delete namespaces whose owner process is gone (their nftables tables go with them)."""
    removed = []
    for name in _listdir(NETNS_DIR):
        if _namespace_is_stale(name) and _delete_namespace(name):
            removed.append(name)
    return removed


def _delete_namespace(name: str) -> bool:
    from chaos.netns.capability import tool  # chaos.netns imports this module

    result = subprocess.run(
        [tool("ip"), "netns", "delete", name], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        log.warning("cannot delete namespace %s: %s", name, result.stderr.strip())
    return result.returncode == 0


def _dead_owner(labels: dict[str, str] | None, label: str) -> bool:
    match = re.match(r"^(\d+)-(\d+)$", (labels or {}).get(label, ""))
    return bool(match) and not owner_alive(int(match.group(1)), int(match.group(2)))


def remove_stale_containers() -> list[str]:
    """Remove containers, networks and volumes whose owner label names a dead owner.

    Silent and immediate when there is no engine socket or no ``docker`` package; an engine that
    does not answer is logged at debug level only (a sweep never stops a run).
    """
    # Imported here: the engine module imports this one, and most runs never need it.
    from chaos.errors import CapabilityMissingError
    from chaos.servers.docker.engine import API_VERSION, engine_socket, import_docker

    url = engine_socket()
    if url is None:
        return []
    try:
        docker = import_docker()
    except CapabilityMissingError:
        return []  # without the docker extra this run made no containers to sweep
    removed = []
    try:
        client = docker.DockerClient(base_url=url, version=API_VERSION, timeout=30)
        try:
            owned = {"label": OWNER_LABEL}
            # Containers first: a network or volume in use cannot be removed.
            for container in client.containers.list(all=True, filters=owned):
                if _dead_owner(container.labels, OWNER_LABEL):
                    container.remove(force=True, v=True)
                    removed.append(f"container {container.name}")
            for network in client.networks.list(filters=owned):
                if _dead_owner(network.attrs.get("Labels"), OWNER_LABEL):
                    network.remove()
                    removed.append(f"network {network.name}")
            for volume in client.volumes.list(filters=owned):
                if _dead_owner(volume.attrs.get("Labels"), OWNER_LABEL):
                    volume.remove(force=True)
                    removed.append(f"volume {volume.name}")
        finally:
            client.close()
    except (docker.errors.DockerException, OSError, ValueError) as e:
        log.debug("no container engine to sweep at %s: %s", url, e)
    return removed


def sweep() -> list[str]:
    """Remove everything whose owner is dead; one line per thing removed."""
    removed = remove_stale_containers()
    leftovers = find_leftovers()
    if not leftovers:
        for line in removed:
            log.info("removed what a dead run left: %s", line)
        return removed
    strays = _stray_processes(leftovers)
    for pid in _kill_and_wait(strays):
        removed.append(f"process {pid}: {strays[pid][:200]}")
    for path in leftovers.directories:
        shutil.rmtree(path, ignore_errors=True)
        if not path.exists():
            removed.append(f"directory {path}")
    for name in leftovers.namespaces:
        if _delete_namespace(name):
            removed.append(f"namespace {name}")
    for line in removed:
        log.info("removed what a dead run left: %s", line)
    return removed


def sweep_once() -> None:
    """:func:`sweep` on a process's first server or namespace; later calls do nothing."""
    global _swept_in
    with _sweep_lock:
        if _swept_in == os.getpid():
            return
        _swept_in = os.getpid()
    try:
        sweep()
    except OSError as e:  # a sweep that cannot finish must not stop the run that called it
        log.warning("sweeping what dead runs left failed: %s", e)
