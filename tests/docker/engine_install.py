"""Installing the container engine for the docker tests, or skipping with the reason."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "container-engine.sh"


def install_engine_or_skip(missing: str) -> None:
    """Install podman and docker-compose (scripts/container-engine.sh), or skip saying why.

    It needs root, apt-get and Debian's mirrors: ``./quickstart test`` runs the suite in a
    loopback-only namespace, where the install cannot reach them and these tests skip.
    """
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        pytest.skip(f"{missing}; installing it needs root and apt-get")
    run = subprocess.run(["sh", str(SCRIPT), "install"], capture_output=True, text=True)
    if run.returncode != 0:
        last = (run.stderr.strip().splitlines() or ["no output"])[-1]
        pytest.skip(f"{missing}, and scripts/container-engine.sh install failed: {last}")
