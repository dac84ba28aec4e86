"""``pytest --mysql-chaos-matrix`` runs its cells concurrently, with the verdicts of a serial run.

Concurrency is observed, not timed: a user strategy (the bundled ``safe``, wrapped) writes when
each cell built it and when the cell closed it, and the intervals of two cells overlap.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from interruptible import popen_interruptible
from leftovers import namespaces, processes_with

from chaos.runner.shard import select_shard

# Cells whose verdicts are not all "pass", so equal verdicts are not a vacuous equality.
CELLS = ["--mysql-chaos-strategy=safe", "--mysql-chaos-strategy=ping-reconnect"]
CELLS += ["--mysql-chaos-strategy=naive-global", "--mysql-chaos-fault=kill-connection"]
CELLS += ["--mysql-chaos-fault=mid-transaction-drop"]

# Built and closed by each cell: its interval, as "start|end <strategy> <monotonic time>".
RECORDING = """
import os, time
from mysql_chaos_apps.strategies import BUNDLED

LOG = {log!r}

def _write(event, name):
    with open(LOG, "a") as log:
        log.write(f"{{event}} {{name}} {{time.monotonic()}}\\n")

class Recorded:
    def __init__(self, inner, name):
        self.inner, self.name = inner, name
        _write("start", name)

    def run(self, unit):
        return self.inner.run(unit)

    def close(self):
        self.inner.close()
        _write("end", self.name)

def first(config):
    return Recorded(BUNDLED["safe"](config), "first")

def second(config):
    return Recorded(BUNDLED["safe"](config), "second")

def broken(config):
    _write("start", "broken")
    raise RuntimeError("the pool could not be built")
"""


def intervals(log: Path) -> list[tuple[str, float, float]]:
    """(strategy, built, closed) per cell that closed its strategy, by build time."""
    starts: dict[str, list[float]] = {}
    closed = []
    for line in log.read_text().splitlines():
        event, name, moment = line.split()
        if event == "start":
            starts.setdefault(name, []).append(float(moment))
        else:
            closed.append((name, starts[name].pop(0), float(moment)))
    return sorted(closed, key=lambda interval: interval[1])


def overlapping(cells: list[tuple[str, float, float]]) -> bool:
    return any(
        other[1] < cell[2] and cell[1] < other[2]
        for index, cell in enumerate(cells)
        for other in cells[index + 1 :]
    )


@pytest.fixture
def recording(pytester: pytest.Pytester) -> Path:
    log = pytester.path / "cells.log"
    pytester.makepyfile(recording=RECORDING.format(log=str(log)))
    pytester.syspathinsert()
    return log


def verdicts(path: Path) -> dict[tuple[str, str], str]:
    cells = json.loads(path.read_text())["cells"]
    return {(cell["strategy"], cell["fault"]): cell["verdict"] for cell in cells}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_cells_overlap_in_time_unless_one_job_is_asked_for(pytester, recording, jobs):
    result = pytester.runpytest_subprocess(
        "--mysql-chaos-matrix",
        "--mysql-chaos-strategy=recording:first",
        "--mysql-chaos-strategy=recording:second",
        # A cell whose strategy lives for seconds (its connections idle past wait_timeout).
        "--mysql-chaos-fault=idle-timeout",
        f"--mysql-chaos-jobs={jobs}",
    )
    # A user's strategy with nothing recorded is held to every invariant, which it holds.
    result.assert_outcomes(passed=2)
    cells = intervals(recording)
    assert sorted(name for name, _, _ in cells) == ["first", "second"]
    assert overlapping(cells) == (jobs == "2")


def test_concurrent_and_xdist_runs_give_a_serial_runs_verdicts_each_worker_its_share(pytester):
    serial, concurrent, xdist = (pytester.path / f"{n}.json" for n in ("s", "c", "x"))
    pytester.runpytest_subprocess(
        "--mysql-chaos-matrix", *CELLS, "--mysql-chaos-jobs=1", f"--mysql-chaos-json={serial}"
    ).assert_outcomes(passed=6)
    pytester.runpytest_subprocess(
        "--mysql-chaos-matrix", *CELLS, "--mysql-chaos-jobs=6", f"--mysql-chaos-json={concurrent}"
    ).assert_outcomes(passed=6)
    under_xdist = pytester.runpytest_subprocess(
        "--mysql-chaos-matrix", *CELLS, "-n", "2", "-v", f"--mysql-chaos-json={xdist}"
    )
    under_xdist.assert_outcomes(passed=6)
    assert verdicts(serial) == verdicts(concurrent) == verdicts(xdist)
    assert verdicts(serial)[("naive-global", "kill-connection")] == "flost+norec"
    assert verdicts(serial)[("ping-reconnect", "mid-transaction-drop")] == "partial"
    # Worker K of 2 ran shard K of 2 of the items: the share its cell pool ran ahead.
    ran = dict(
        (match[2], match[1])
        for match in re.finditer(r"\[(gw\d)\] .*?PASSED (\S+)", under_xdist.stdout.str())
    )
    ids = [
        f"mysql-chaos-matrix::{s}::{f}"
        for f in ("kill-connection", "mid-transaction-drop")
        for s in ("safe", "ping-reconnect", "naive-global")
    ]
    assert {worker: sorted(i for i in ids if ran[i] == worker) for worker in ("gw0", "gw1")} == {
        "gw0": sorted(select_shard(ids, 1, 2)),
        "gw1": sorted(select_shard(ids, 2, 2)),
    }


def test_x_stops_starting_cells_after_the_first_failure(pytester, recording):
    # Three broken cells and three that run; two at once. The first broken one fails at
    # once: no cell starts after it (the one running beside it finishes).
    result = pytester.runpytest_subprocess(
        "--mysql-chaos-matrix",
        "--mysql-chaos-strategy=recording:broken",
        "--mysql-chaos-strategy=recording:first",
        "--mysql-chaos-fault=kill-connection",
        "--mysql-chaos-fault=reset-peer",
        "--mysql-chaos-fault=mid-transaction-drop",
        "--mysql-chaos-jobs=2",
        "-x",
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*recording:broken x *: error: *could not be built*"])
    started = [line.split()[1] for line in recording.read_text().splitlines() if "start" in line]
    assert started.count("broken") == 1
    assert len(started) <= 2, started


def test_ctrl_c_during_concurrent_cells_stops_the_run_and_leaves_nothing(pytester, recording):
    marker = f"MYSQL_CHAOS_TEST_RUN={uuid.uuid4().hex}"
    name, value = marker.split("=")
    process = popen_interruptible(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--mysql-chaos-matrix",
            "--mysql-chaos-strategy=recording:first",
            "--mysql-chaos-strategy=recording:second",
            "--mysql-chaos-fault=kill-connection",
            "--mysql-chaos-fault=middlebox-drop",
            "--mysql-chaos-jobs=4",
        ],
        cwd=pytester.path,
        env={**os.environ, name: value},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (
            recording.exists() and recording.read_text().count("start") >= 2
        ):
            time.sleep(0.05)
        assert recording.exists(), "no cell started"
        os.killpg(process.pid, signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 2, output  # pytest's "interrupted"
    assert "KeyboardInterrupt" in output
    deadline = time.monotonic() + 5
    while processes_with(marker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert processes_with(marker) == []
    assert f"mchaos-{process.pid}-" not in namespaces()
    assert not list(Path("/dev/shm").glob(f"mysql-chaos-{process.pid}-*"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--mysql-chaos-jobs=2"], "--mysql-chaos-jobs goes with --mysql-chaos-matrix"),
        (
            ["--mysql-chaos-matrix", "--mysql-chaos-jobs=0"],
            "--mysql-chaos-jobs 0: expected 1 to 64",
        ),
    ],
)
def test_bad_jobs_are_one_line_before_anything_runs(pytester, args, message):
    result = pytester.runpytest_subprocess(*args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: {message}*"])
