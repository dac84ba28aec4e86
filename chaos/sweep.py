"""One sweep removes what dead owners left behind; whoever makes a kind of thing says how.

A run killed with SIGKILL runs no cleanup code, so whatever it made on disk or in the kernel stays:
datadirs in /dev/shm (RAM), run directories in the temp dir, network namespaces with their
nftables tables, containers, and any server that outlived it. Each of those names its owner (see
:mod:`chaos.owner`), so a later run can tell a dead owner's things from a live one's.

This module knows no kind of thing. A *sweeper* is a function, defined beside the code that makes
its kind, that returns the :class:`Leftover` s of dead owners it finds; the sweep asks each one,
kills every process that still runs from a leftover (a server whose datadir it is, anything inside
its namespace), then removes the leftovers, in the order the sweepers are listed.

The sweepers are declared here as ``module:function`` strings and imported when a sweep runs,
rather than registered by their modules when imported: a sweep starts from several places (every
command's start, ``mysql-chaos clean``, a library user's or the pytest plugin's first server or
namespace), and with registration at import the kinds swept would be those the caller happened to
import first. A string names a kind without an import, so nothing here points up at the
namespaces or the servers, and a module is loaded only when a sweep needs it (the docker sweeper
loads the ``docker`` package only when an engine's socket is there).

The sweep is cheap when there is nothing to do (one listing each of /dev/shm, the temp dir and
/run/netns, and a stat for the engine's socket); it reads /proc only when something stale was
found.
"""

from __future__ import annotations

import functools
import importlib
import logging
import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from chaos.owner import directory_names_dead_owner, process_start_time

log = logging.getLogger(__name__)

#: Every kind of thing the suite makes, by the function that finds a dead owner's (removal in
#: this order: containers before the directories they mount, namespaces last).
SWEEPERS: tuple[str, ...] = (
    "chaos.servers.docker.leftovers:stale_engine_objects",
    "chaos.sweep:stale_run_directories",
    "chaos.servers.local:stale_datadirs",
    "chaos.netns.leftovers:stale_namespaces",
)
_KILL_WAIT = 5.0

_swept_in: int | None = None
_sweep_lock = threading.Lock()


class RunningProcess:
    """A process seen by the sweep: its PID, its command line, and (read on demand) its network
    namespace."""

    def __init__(self, pid: int, command: str) -> None:
        self.pid = pid
        self.command = command

    @functools.cached_property
    def net_namespace(self) -> int | None:
        """The inode of its network namespace, or ``None`` when it cannot be read."""
        try:
            return os.stat(f"/proc/{self.pid}/ns/net").st_ino
        except OSError:
            return None


class Leftover(Protocol):
    """One thing a dead owner left."""

    #: What it is, as ``clean`` prints it after "removed " (``directory /dev/shm/...``).
    name: str

    def holds(self, process: RunningProcess) -> bool:
        """Whether ``process`` runs from it: such a process is killed before it is removed."""
        ...

    def remove(self) -> bool:
        """Remove it; whether it is gone."""
        ...


Sweeper = Callable[[], Sequence[Leftover]]


@dataclass(frozen=True)
class StaleDirectory:
    """A directory named by :func:`chaos.owner.owned_prefix` whose owner is dead."""

    path: Path

    @property
    def name(self) -> str:
        return f"directory {self.path}"

    def holds(self, process: RunningProcess) -> bool:
        # A server is found through its command line, which names its datadir.
        return f"{self.path}/" in process.command

    def remove(self) -> bool:
        shutil.rmtree(self.path, ignore_errors=True)
        return not self.path.exists()


def stale_directories(root: str) -> list[StaleDirectory]:
    """The directories in ``root`` that name a dead owner and that this user may remove."""
    found = []
    for name in _listdir(root):
        if directory_names_dead_owner(name):
            path = Path(root) / name
            if _mine_to_remove(path):
                found.append(StaleDirectory(path))
    return found


def stale_run_directories() -> list[StaleDirectory]:
    """Run directories in the temp dir (check, app server, HTTP load, image builds...)."""
    return stale_directories(tempfile.gettempdir())


def _mine_to_remove(path: Path) -> bool:
    """Root may remove anything; another user only what it owns (the rest it cannot delete)."""
    try:
        return os.geteuid() == 0 or path.lstat().st_uid == os.geteuid()
    except OSError:
        return False


def _listdir(path: str) -> list[str]:
    try:
        return os.listdir(path)
    except OSError:
        return []


@functools.cache
def _sweepers() -> tuple[Sweeper, ...]:
    loaded = []
    for spec in SWEEPERS:
        module, _, function = spec.partition(":")
        loaded.append(getattr(importlib.import_module(module), function))
    return tuple(loaded)


def find_leftovers() -> list[Leftover]:
    """What dead owners left, of every kind, each once (two sweepers may share a directory)."""
    found: dict[str, Leftover] = {}
    for sweeper in _sweepers():
        for leftover in sweeper():
            found.setdefault(leftover.name, leftover)
    return list(found.values())


def _stray_processes(leftovers: Sequence[Leftover]) -> dict[int, str]:
    """Processes that still run from a dead owner's leftover, by PID, with their command line."""
    found: dict[int, str] = {}
    for entry in _listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                command = cmdline.read().decode(errors="replace").replace("\0", " ")
        except OSError:
            continue
        process = RunningProcess(int(entry), command)
        if any(leftover.holds(process) for leftover in leftovers):
            found[process.pid] = command.strip()
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


def sweep() -> list[str]:
    """Remove everything whose owner is dead; one line per thing removed."""
    leftovers = find_leftovers()
    removed: list[str] = []
    if leftovers:
        strays = _stray_processes(leftovers)
        for pid in _kill_and_wait(strays):
            removed.append(f"process {pid}: {strays[pid][:200]}")
    for leftover in leftovers:
        if leftover.remove():
            removed.append(leftover.name)
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
