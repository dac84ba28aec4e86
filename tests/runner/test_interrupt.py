"""Ctrl-C during `mysql-chaos matrix` stops promptly and leaves no server or namespace."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from interruptible import popen_interruptible
from leftovers import namespaces, processes_with

CLI = str(Path(sys.executable).with_name("mysql-chaos"))


def _wait_for(condition, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_sigint_stops_the_matrix_promptly_and_leaves_nothing_behind() -> None:
    marker = f"MYSQL_CHAOS_TEST_RUN={uuid.uuid4().hex}"
    name, value = marker.split("=")
    process = popen_interruptible(
        [
            CLI,
            "matrix",
            "--fault",
            "server-freeze",
            "--fault",
            "middlebox-drop",
            "--strategy",
            "naive-global",
            "--strategy",
            "safe",
            "--jobs",
            "4",
        ],
        env={**os.environ, name: value},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        servers_up = _wait_for(lambda: len(processes_with(marker)) > 1, 30)
        assert servers_up, "the matrix never started a server"
        time.sleep(1.0)  # let the cells reach their fault phase
        os.killpg(process.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole group
        _stdout, stderr = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130
    assert "Traceback" not in stderr
    assert _wait_for(lambda: processes_with(marker) == [], 5), processes_with(marker)
    assert f"mchaos-{process.pid}-" not in namespaces()
    assert not list(Path("/dev/shm").glob(f"mysql-chaos-{process.pid}-*"))  # no datadir left
