"""Nothing outlives its owner: each way a real owner process can end, with a real mariadbd.

Every owner is a child Python process that starts a server, prints its pid and datadir, and then
ends in the way under test. Polls are bounded only so that a failing test cannot hang.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from interruptible import popen_interruptible

from chaos import lifecycle
from chaos.netns import net_admin_missing_reason
from chaos.netns.capability import tool
from chaos.netns.namespace import remove_stale_namespaces

OWNER = """
import sys, time
from chaos.servers.local import LocalServer
server = LocalServer(name="lifecycle-test").start()
print(server.pid, server.workdir, flush=True)
if sys.argv[1] == "raise":
    raise RuntimeError("owner failed")
if sys.argv[1] == "wait":
    time.sleep(60)
"""

NAMESPACE_OWNER = """
import time
from chaos.netns import NetworkNamespace
namespace = NetworkNamespace().start()
print(namespace.name, flush=True)
time.sleep(60)
"""


def _poll_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout} s: {what}")
        time.sleep(0.01)


def _process_gone(pid: int) -> bool:
    """Absent, or a zombie: dead, with only its exit status left for a parent to reap."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def _read_line(process: subprocess.Popen[str], timeout: float = 30) -> str:
    """One line of the child's stdout, or fail (with its stderr) if it prints none in time."""
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            pytest.fail(f"the owner printed nothing within {timeout} s")
    line = process.stdout.readline()
    if not line:
        pytest.fail(f"the owner exited early: {process.communicate(timeout=10)[1]}")
    return line.strip()


@pytest.fixture
def owner() -> Iterator[Callable[..., subprocess.Popen[str]]]:
    """Start owner processes; whatever a failing test leaves is killed and removed."""
    started: list[subprocess.Popen[str]] = []

    def start(script: str, *args: str) -> subprocess.Popen[str]:
        process = popen_interruptible(
            [sys.executable, "-c", script, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=10)


@pytest.fixture
def leftovers() -> Iterator[dict[str, list[str]]]:
    """Record what an owner made; anything still there after the test is removed."""
    made: dict[str, list[str]] = {"servers": [], "datadirs": [], "namespaces": []}
    yield made
    for pid, workdir in zip(made["servers"], made["datadirs"], strict=True):
        with contextlib.suppress(OSError), open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            if workdir.encode() in cmdline.read():  # still that server, not a reused pid
                os.kill(int(pid), signal.SIGKILL)
        shutil.rmtree(workdir, ignore_errors=True)
    for name in made["namespaces"]:
        subprocess.run([tool("ip"), "netns", "delete", name], capture_output=True, check=False)


def _start_owner(owner, leftovers, mode: str) -> tuple[subprocess.Popen[str], int, str]:
    process = owner(OWNER, mode)
    pid, workdir = _read_line(process).split()
    leftovers["servers"].append(pid)
    leftovers["datadirs"].append(workdir)
    return process, int(pid), workdir


@pytest.mark.parametrize(
    ("mode", "sig", "exit_status"),
    [
        pytest.param("exit", None, 0, id="normal-exit"),
        pytest.param("raise", None, 1, id="uncaught-exception"),
        pytest.param("wait", signal.SIGINT, -signal.SIGINT, id="sigint"),
        pytest.param("wait", signal.SIGTERM, 128 + signal.SIGTERM, id="sigterm"),
    ],
)
def test_server_and_datadir_are_gone_when_the_owner_ends(owner, leftovers, mode, sig, exit_status):
    process, server_pid, workdir = _start_owner(owner, leftovers, mode)
    if sig is not None:
        process.send_signal(sig)
    _stdout, stderr = process.communicate(timeout=30)

    # The exit status shows which way the owner ended (SIGTERM becomes a normal exit).
    assert process.returncode == exit_status, stderr
    if mode == "raise":
        assert "RuntimeError: owner failed" in stderr
    _poll_until(lambda: _process_gone(server_pid), 10, f"mariadbd {server_pid} to end")
    assert not os.path.exists(workdir)


def test_server_dies_with_an_owner_killed_by_sigkill(owner, leftovers):
    """SIGKILL runs no Python code in the owner, so only the kernel's parent-death signal stops
    the server; its datadir may remain (nothing could delete it), so only the process is
    asserted here and the fixture removes the datadir."""
    process, server_pid, _workdir = _start_owner(owner, leftovers, "wait")
    if os.geteuid() == 0:
        # The server runs as another account: the kernel clears the parent-death signal on a uid
        # change, so this also proves the signal is armed after the switch.
        with open(f"/proc/{server_pid}/status") as status:
            uid = next(line.split()[1] for line in status if line.startswith("Uid:"))
        assert uid != "0"
    process.kill()
    process.wait(timeout=10)
    _poll_until(lambda: _process_gone(server_pid), 10, f"mariadbd {server_pid} to die")


@pytest.mark.netadmin
@pytest.mark.skipif(net_admin_missing_reason() is not None, reason=str(net_admin_missing_reason()))
def test_namespace_of_an_owner_killed_by_sigkill_is_removed_by_the_next_run(owner, leftovers):
    process = owner(NAMESPACE_OWNER)
    name = _read_line(process)
    leftovers["namespaces"].append(name)
    process.kill()
    process.wait(timeout=10)
    assert os.path.exists(f"/run/netns/{name}")  # nothing could remove it

    assert name in remove_stale_namespaces()
    assert not os.path.exists(f"/run/netns/{name}")


CLEANUP_ORDER = """
import logging
from chaos import lifecycle
lifecycle.register_cleanup(lambda: print("registered first", flush=True))
key = lifecycle.register_cleanup(lambda: print("unregistered", flush=True))
lifecycle.register_cleanup(lambda: 1 / 0)
lifecycle.register_cleanup(lambda: print("registered last", flush=True))
lifecycle.unregister_cleanup(key)
"""


def test_cleanups_run_at_exit_newest_first_past_a_failing_one(owner):
    process = owner(CLEANUP_ORDER)
    stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 0, stderr
    assert stdout.splitlines() == ["registered last", "registered first"]
    assert "cleanup callback failed" in stderr
    assert "ZeroDivisionError" in stderr


def _in_short_lived_thread(function: Callable[[], subprocess.Popen[bytes]]):
    """Run ``function`` in a thread and return its result once the thread has fully exited."""
    box: dict[str, object] = {}

    def run() -> None:
        box["tid"] = threading.get_native_id()
        box["result"] = function()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    # The parent-death signal fires as the kernel task ends, after join() has returned.
    _poll_until(
        lambda: not os.path.exists(f"/proc/self/task/{box['tid']}"), 10, "the thread to end"
    )
    return box["result"]


def test_die_with_parent_kills_a_child_when_the_thread_that_forked_it_ends():
    """Why spawn() forks from one long-lived thread: the signal follows the forking thread."""
    child = _in_short_lived_thread(
        lambda: subprocess.Popen(
            ["cat"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            preexec_fn=lifecycle.die_with_parent,
        )
    )
    try:
        assert child.wait(timeout=10) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
        child.communicate()


def test_spawned_child_outlives_the_short_lived_thread_that_asked_for_it():
    child = _in_short_lived_thread(
        lambda: lifecycle.spawn(["cat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    )
    try:
        # A killed cat would answer EOF (or a broken pipe) instead of the echo.
        child.stdin.write(b"still alive\n")
        child.stdin.flush()
        assert child.stdout.readline() == b"still alive\n"
    finally:
        child.kill()
        child.communicate()


class TemporaryDirectory(lifecycle.Resource):
    """A real resource (a directory) whose start fails after making it, when told to."""

    def __init__(self, fail: BaseException | None = None) -> None:
        self.path: str | None = None
        self.fail = fail
        self.stops = 0

    def _start(self) -> None:
        self.path = tempfile.mkdtemp(prefix="mysql-chaos-resource-test-")
        if self.fail is not None:
            raise self.fail

    def stop(self) -> None:
        self.stops += 1
        if self.path is not None:
            shutil.rmtree(self.path)
            self.path = None


@pytest.mark.parametrize("failure", [RuntimeError("start failed"), KeyboardInterrupt()])
def test_a_resource_whose_start_fails_is_stopped_before_the_error_goes_on(failure):
    resource = TemporaryDirectory(fail=failure)
    with pytest.raises(type(failure)):
        resource.start()
    assert resource.stops == 1 and resource.path is None


def test_a_resource_is_its_own_context_manager_and_stops_on_leaving_it():
    with TemporaryDirectory() as resource:
        path = resource.path
        assert path is not None and os.path.isdir(path)
    assert not os.path.exists(path) and resource.stops == 1
