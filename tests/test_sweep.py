"""Nothing is left after SIGKILL: what a killed run made names it, and the next start removes it.

SIGKILL runs no code in its victim, so these tests kill real owners (a library user, and the
`matrix`, `repro` and `check` commands) once they have made servers, datadirs and namespaces, and
prove the next command leaves nothing: no process, no directory, no namespace. Polls are bounded
only so that a failing test cannot hang.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from leftovers import namespaces, processes_with

from chaos import owner, sweep
from chaos.netns import net_admin_missing_reason
from chaos.servers.local import SCRATCH_DIR

CLI = str(Path(sys.executable).with_name("mysql-chaos"))
ROOTS = sorted({SCRATCH_DIR, tempfile.gettempdir()})
requires_net_admin = pytest.mark.skipif(
    net_admin_missing_reason() is not None, reason=str(net_admin_missing_reason())
)


def _wait_for(condition: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _owned_dirs(pid: int) -> list[str]:
    """Directories in /dev/shm and the temp dir that name ``pid`` as their owner (datadirs, and
    the check, app server and HTTP client work directories)."""
    kinds = ("", "check-", "app-", "load-")
    return [
        os.path.join(root, name)
        for root in ROOTS
        for name in os.listdir(root)
        if name.startswith(tuple(f"mysql-chaos-{kind}{pid}-" for kind in kinds))
    ]


def _owned_namespaces(pid: int) -> list[str]:
    return [line.split()[0] for line in namespaces().splitlines() if f"mchaos-{pid}-" in line]


def _alive(pid: int) -> bool:
    return owner.process_start_time(pid) is not None


@pytest.fixture
def marker() -> Iterator[str]:
    """An environment marker every process a test starts inherits; survivors are killed after."""
    value = f"MYSQL_CHAOS_SWEEP_TEST={uuid.uuid4().hex}"
    yield value
    for pid in processes_with(value):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def _start(args: list[str], marker: str) -> subprocess.Popen[str]:
    name, value = marker.split("=")
    return subprocess.Popen(
        args,
        env={**os.environ, name: value},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _kill(process: subprocess.Popen[str]) -> None:
    process.kill()
    process.communicate(timeout=30)


def _run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, *args], capture_output=True, text=True, timeout=120, check=False)


def _removed_here_or_by_another_sweep(line: str, stdout: str, gone: bool) -> bool:
    """This ``clean`` removed it, or another run's sweep did first: the host is shared, and
    every command that starts sweeps what dead owners left, whoever they were."""
    return line in stdout or gone


def _assert_nothing_left(pid: int, marker: str) -> None:
    assert _wait_for(lambda: processes_with(marker) == [], 10), processes_with(marker)
    assert _owned_dirs(pid) == []
    assert _owned_namespaces(pid) == []


# -- ownership ------------------------------------------------------------------------------
def test_owner_tag_is_the_pid_and_the_start_time_from_proc_stat():
    with open("/proc/self/stat") as stat:
        start_time = stat.read().rsplit(")", 1)[1].split()[19]  # field 22
    assert owner.owner_tag() == f"{os.getpid()}-{start_time}"
    assert owner.owned_prefix("check") == f"mysql-chaos-check-{os.getpid()}-{start_time}-"


def test_a_reused_pid_does_not_keep_a_dead_owners_directory_alive():
    """Same pid as a live process, another start time: the owner is dead, the dir goes."""
    pid, start_time = os.getpid(), owner.process_start_time(os.getpid())
    dead = Path(tempfile.mkdtemp(prefix=f"mysql-chaos-{pid}-{start_time + 1}-"))
    live = Path(tempfile.mkdtemp(prefix=owner.owned_prefix()))
    try:
        removed = sweep.sweep()
        assert f"directory {dead}" in removed
        assert not dead.exists()
        assert live.is_dir()
        assert not any(str(live) in line for line in removed)
    finally:
        shutil.rmtree(dead, ignore_errors=True)
        shutil.rmtree(live, ignore_errors=True)


# -- a library user killed outright ---------------------------------------------------------
LIBRARY_OWNER = """
import subprocess, sys, time
from chaos.servers.local import LocalServer
server = LocalServer(name="sweep-test").start()
# A process that outlives its owner (its own session, no parent-death signal), as a server would
# if the kernel's signal ever missed it: only its command line ties it to the datadir.
stray = subprocess.Popen(
    [sys.executable, "-c", "import time; time.sleep(120)", f"--datadir={server.workdir}/data"],
    start_new_session=True,
    stdout=subprocess.DEVNULL,
    stderr=subprocess.DEVNULL,
)
print(server.pid, stray.pid, server.workdir, flush=True)
time.sleep(120)
"""


def test_sweep_kills_what_still_runs_from_a_dead_owner_and_removes_its_datadir(marker):
    owner = _start([sys.executable, "-c", LIBRARY_OWNER], marker)
    try:
        server_pid, stray_pid, workdir = owner.stdout.readline().split()
    finally:
        _kill(owner)
    assert _wait_for(lambda: not _alive(int(server_pid)), 10)  # the parent-death signal
    assert _alive(int(stray_pid)) and os.path.isdir(workdir)  # nothing else could act

    result = _run_cli("clean")

    assert result.returncode == 0, result.stderr
    assert _removed_here_or_by_another_sweep(
        f"removed process {stray_pid}:", result.stdout, not _alive(int(stray_pid))
    )
    assert _removed_here_or_by_another_sweep(
        f"removed directory {workdir}", result.stdout, not os.path.exists(workdir)
    )
    _assert_nothing_left(owner.pid, marker)
    again = _run_cli("clean").stdout
    assert stray_pid not in again and workdir not in again, again


NAMESPACE_OWNER = """
import subprocess, time
from chaos.netns import NetworkNamespace
namespace = NetworkNamespace().start()
inside = subprocess.Popen(
    ["sleep", "120"],
    preexec_fn=namespace.preexec(),
    start_new_session=True,
    stdout=subprocess.DEVNULL,
    stderr=subprocess.DEVNULL,
)
print(namespace.name, inside.pid, flush=True)
time.sleep(120)
"""


@requires_net_admin
@pytest.mark.netadmin
def test_sweep_removes_a_dead_owners_namespace_and_what_runs_inside_it(marker):
    owner = _start([sys.executable, "-c", NAMESPACE_OWNER], marker)
    try:
        name, inside_pid = owner.stdout.readline().split()
    finally:
        _kill(owner)
    assert name in _owned_namespaces(owner.pid) and _alive(int(inside_pid))

    result = _run_cli("clean")

    assert result.returncode == 0, result.stderr
    assert _removed_here_or_by_another_sweep(
        f"removed namespace {name}", result.stdout, name not in _owned_namespaces(owner.pid)
    )
    assert _removed_here_or_by_another_sweep(
        f"removed process {inside_pid}:", result.stdout, not _alive(int(inside_pid))
    )
    _assert_nothing_left(owner.pid, marker)


# -- the commands killed outright -----------------------------------------------------------
COMMANDS = {
    "matrix": [
        "matrix",
        "--fault",
        "middlebox-drop",
        "--fault",
        "server-freeze",
        "--strategy",
        "safe",
        "--jobs",
        "2",
    ],
    "matrix-app": [
        "matrix",
        "--app",
        "--fault",
        "middlebox-drop",
        "--fault",
        "server-freeze",
        "--strategy",
        "safe",
        "--jobs",
        "2",
    ],
    "repro": ["repro", "--variant", "middlebox-drop", "--variant", "server-freeze"],
    "check": [
        "check",
        "mysql_chaos_apps.strategies.naive_global:NaiveGlobalStrategy",
        "--fault",
        "middlebox-drop",
        "--fault",
        "server-freeze",
        "--jobs",
        "2",
    ],
}
#: The command that runs next: `clean`, or any other start (its group callback sweeps too).
NEXT = {
    "matrix": ["clean"],
    "matrix-app": ["clean"],
    "repro": ["repro", "--list"],
    "check": ["clean"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_the_next_command_leaves_nothing_of_a_sigkilled_run(command, marker):
    process = _start([CLI, *COMMANDS[command]], marker)
    want_namespace = net_admin_missing_reason() is None

    def under_way() -> bool:
        dirs = _owned_dirs(process.pid)
        return (
            len(processes_with(marker)) > 1  # the command and at least one server
            and any("/mysql-chaos-" in path and "-check-" not in path for path in dirs)
            and (command != "check" or any("mysql-chaos-check-" in path for path in dirs))
            # the app servers and their HTTP clients are running
            and (command != "matrix-app" or any("mysql-chaos-load-" in path for path in dirs))
            and (not want_namespace or bool(_owned_namespaces(process.pid)))
        )

    try:
        assert _wait_for(under_way, 60), f"{command} never got under way"
    finally:
        _kill(process)
    left = _owned_dirs(process.pid)
    assert left, "SIGKILL left nothing: the test would prove nothing"

    result = _run_cli(*NEXT[command])

    assert result.returncode == 0, result.stderr
    if NEXT[command] == ["clean"]:
        for path in left:
            assert _removed_here_or_by_another_sweep(
                f"removed directory {path}", result.stdout, not os.path.exists(path)
            )
    _assert_nothing_left(process.pid, marker)
