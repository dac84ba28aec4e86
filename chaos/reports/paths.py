"""Report and history paths, checked before the first cell runs.

A run can take minutes; finding out afterwards that ``--json`` points into a missing directory
would lose every result. Each path is tried for real (opened for appending, then removed again
when it did not exist), because permission bits do not tell the whole story (root, read-only
mounts, /proc).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from chaos.errors import UsageError


def check_report_path(option: str, path: str) -> Path:
    """``path`` can be written as a report file, or a :class:`UsageError` says why not."""
    target = Path(path)
    parent = target.parent
    if not parent.is_dir():
        raise UsageError(f"{option} {path}: directory {parent} does not exist")
    if target.is_dir():
        raise UsageError(f"{option} {path}: is a directory")
    existed = target.exists()
    try:
        with open(target, "a"):
            pass
        if not existed:
            target.unlink()
    except OSError as e:
        raise UsageError(f"{option} {path}: cannot write: {e.strerror or e}") from e
    return target


def prepare_history_dir(option: str, path: str) -> Path:
    """Create the directory ``path`` (its parent must exist) and prove it takes files."""
    directory = Path(path)
    if not directory.parent.is_dir():
        raise UsageError(f"{option} {path}: directory {directory.parent} does not exist")
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"{option} {path}: not a directory")
    try:
        directory.mkdir(exist_ok=True)
        descriptor, probe = tempfile.mkstemp(dir=directory, prefix=".mysql-chaos-probe-")
        os.close(descriptor)
        os.unlink(probe)
    except OSError as e:
        raise UsageError(f"{option} {path}: cannot write: {e.strerror or e}") from e
    return directory
