"""Finding what a run left behind: processes by an inherited environment marker, namespaces."""

from __future__ import annotations

import os
import subprocess

from chaos.netns.capability import tool


def processes_with(marker: str) -> list[int]:
    """Pids whose environment holds ``marker`` (a CLI's servers inherit the CLI's env)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as environ:
                if marker.encode() in environ.read():
                    found.append(int(entry))
        except OSError:
            continue  # exited meanwhile, or a kernel thread
    return found


def namespaces() -> str:
    return subprocess.run(
        [tool("ip"), "netns", "list"], capture_output=True, text=True, check=False
    ).stdout
