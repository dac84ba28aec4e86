"""The owner tag: which process made a thing, told apart from any later process with its PID.

Everything a run makes names its owner's PID *and start time* (field 22 of /proc/PID/stat), as
``PID-STARTTIME``: a later process can tell a dead owner from a live one even when the PID has
been reused meanwhile. Directories carry it in their name (:func:`owned_prefix`), namespaces and
containers in theirs or in a label.

This module is the bottom of that story: the sweep, the docker engine, the namespaces, the
servers and every run directory use it, and it imports nothing of the suite.
"""

from __future__ import annotations

import os
import re

#: Every directory the suite makes starts with this (then an optional kind, then the owner tag).
DIR_PREFIX = "mysql-chaos-"

_TAG = re.compile(r"^(\d+)-(\d+)$")
_OWNED_DIR = re.compile(rf"^{DIR_PREFIX}(?:[a-z]+-)?(\d+)-(\d+)-")


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


def parse_owner_tag(tag: str) -> tuple[int, int] | None:
    """``(pid, start_time)`` of a ``PID-STARTTIME`` tag, or ``None`` when it is not one."""
    match = _TAG.match(tag)
    return (int(match.group(1)), int(match.group(2))) if match else None


def tag_names_dead_owner(tag: str) -> bool:
    """True for a well-formed tag whose owner no longer runs (anything else is not judged)."""
    owner = parse_owner_tag(tag)
    return owner is not None and not owner_alive(*owner)


def owned_prefix(kind: str = "") -> str:
    """A ``mkdtemp`` prefix naming this process as the owner (``kind`` tells dirs apart)."""
    return f"{DIR_PREFIX}{kind + '-' if kind else ''}{owner_tag()}-"


def directory_names_dead_owner(name: str) -> bool:
    """True for a directory name made with :func:`owned_prefix` whose owner no longer runs."""
    match = _OWNED_DIR.match(name)
    return bool(match) and not owner_alive(int(match.group(1)), int(match.group(2)))


def _listdir(path: str) -> list[str]:
    try:
        return os.listdir(path)
    except OSError:
        return []
