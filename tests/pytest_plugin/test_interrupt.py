"""Ctrl-C or SIGTERM during a test that uses the plugin ends the whole run, leaving nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from interruptible import popen_interruptible
from leftovers import namespaces, processes_with

# A user's test that holds a fault open; a second one must never start after the signal.
USER_TEST = """
import time
import pytest

@pytest.mark.mysql_chaos(faults=["outage", "kill-connection"])
def test_holds_the_fault(mysql_chaos_fault, tmp_path_factory):
    mysql_chaos_fault.inject()
    open({started!r}, "a").write(mysql_chaos_fault.name + "\\n")
    time.sleep(60)
"""


def _wait_for(condition, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["sigint", "sigterm"])
def test_a_signal_stops_the_run_and_everything_it_started(tmp_path: Path, signum: int) -> None:
    started = tmp_path / "started"
    (tmp_path / "test_user.py").write_text(USER_TEST.format(started=str(started)))
    marker = f"MYSQL_CHAOS_TEST_RUN={uuid.uuid4().hex}"
    name, value = marker.split("=")
    process = popen_interruptible(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_user.py"],
        cwd=tmp_path,
        env={**os.environ, name: value},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        assert _wait_for(started.exists, 60), "the fault was never injected"
        # As a terminal sends Ctrl-C: to the whole process group (the embedded proxy too).
        os.killpg(process.pid, signum)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 2, output  # pytest's "interrupted"
    assert started.read_text() == "outage\n"  # the next test never started
    assert _wait_for(lambda: processes_with(marker) == [], 5), processes_with(marker)
    assert f"mchaos-{process.pid}-" not in namespaces()
    assert not list(Path("/dev/shm").glob(f"mysql-chaos-{process.pid}-*"))
