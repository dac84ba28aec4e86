"""``mysql-chaos up`` serves a server and a proxy until stopped; ``down`` stops it."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pymysql
import pytest
import requests
from interruptible import popen_interruptible
from leftovers import processes_with

from chaos.owner import process_start_time
from tests.cli.support import CLI, run_cli

_SETTING = re.compile(r"^(server \(direct\)|server \(via proxy\)|toxiproxy API):\s+(\S+)")


class Up:
    def __init__(self, env: dict[str, str], marker: str, *args: str) -> None:
        self.env = env
        self.marker = marker
        self.process = popen_interruptible(
            [CLI, "up", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        self.settings: dict[str, str] = {}
        assert self.process.stdout is not None
        for line in self.process.stdout:  # returns at EOF if up died
            if match := _SETTING.match(line):
                self.settings[match.group(1)] = match.group(2)
            if line.startswith("running as pid"):
                break
        assert len(self.settings) == 3, self.process.stderr.read() if self.process.stderr else ""

    def finish(self) -> tuple[int, str]:
        stdout, _stderr = self.process.communicate(timeout=30)
        return self.process.returncode, stdout


@contextlib.contextmanager
def running_up(env: dict[str, str], *args: str) -> Iterator[Up]:
    marker = f"MYSQL_CHAOS_TEST_RUN={uuid.uuid4().hex}"
    name, value = marker.split("=")
    running = Up({**env, name: value}, marker, *args)
    try:
        yield running
    finally:
        # SIGTERM, as down sends: up stops its server and removes its datadir. SIGKILL would
        # leave the datadir behind (the server dies with its owner, nobody cleans up).
        if running.process.poll() is None:
            running.process.terminate()
            try:
                running.process.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                running.process.kill()
                running.process.wait()


@pytest.fixture
def up(tmp_path: Path) -> Iterator[Up]:
    with running_up({**os.environ, "XDG_RUNTIME_DIR": str(tmp_path)}) as running:
        yield running


def _query(url: str) -> int:
    conn = pymysql.connect(**_kwargs(url))
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1")
            return int(cursor.fetchone()[0])
    finally:
        conn.close()


def _kwargs(url: str) -> dict[str, object]:
    from chaos.settings import ConnectionSettings

    return ConnectionSettings.from_url(url).pymysql_kwargs(connect_timeout=5)


def _gone(marker: str) -> bool:
    deadline = time.monotonic() + 10
    while processes_with(marker):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_sigterm_stops_up_and_removes_what_it_made(up: Up) -> None:
    datadirs = set(Path("/dev/shm").glob("mysql-chaos-*"))
    up.process.terminate()
    code, stdout = up.finish()
    assert code == 0 and stdout.strip().endswith("stopped")
    assert _gone(up.marker), processes_with(up.marker)
    # up's own datadir is gone; others' (parallel runs) may come and go meanwhile.
    assert not [d for d in datadirs if d.exists() and _owned_by_up(d, up)]


def _owned_by_up(datadir: Path, up: Up) -> bool:
    port = up.settings["server (direct)"].rsplit(":", 1)[1].split("/")[0]
    try:
        return f"port: {port} " in (datadir / "error.log").read_text()
    except OSError:
        return False


def test_up_serves_the_server_directly_and_through_the_proxy(up: Up) -> None:
    assert _query(up.settings["server (direct)"]) == 1
    assert _query(up.settings["server (via proxy)"]) == 1
    api = up.settings["toxiproxy API"]
    proxies = requests.get(f"{api}/proxies", timeout=5).json()
    assert list(proxies) == ["mysql"] and proxies["mysql"]["enabled"] is True


def test_down_stops_a_running_up_and_everything_it_started(up: Up) -> None:
    down = run_cli("down", env=up.env)
    assert down.returncode == 0, down.stderr
    assert f"stopped mysql-chaos up 'default' (pid {up.process.pid})" in down.stdout
    code, stdout = up.finish()
    assert code == 0 and stdout.strip().endswith("stopped")
    assert _gone(up.marker), processes_with(up.marker)
    assert not (Path(up.env["XDG_RUNTIME_DIR"]) / "mysql-chaos").exists()  # its record's too
    assert run_cli("down", env=up.env).stdout.strip() == "no mysql-chaos up 'default' is running"


def test_ctrl_c_stops_up_and_everything_it_started(up: Up) -> None:
    up.process.send_signal(signal.SIGINT)
    code, stdout = up.finish()
    assert code == 0 and stdout.strip().endswith("stopped")
    assert _gone(up.marker), processes_with(up.marker)
    assert not (Path(up.env["XDG_RUNTIME_DIR"]) / "mysql-chaos" / "up-default.json").exists()
    assert not (Path(up.env["XDG_RUNTIME_DIR"]) / "mysql-chaos").exists()


@pytest.mark.parametrize("command", ["down", "clean"])
def test_the_record_of_a_killed_up_goes_with_its_directory_at_the_next_down_or_clean(
    tmp_path: Path, command: str
) -> None:
    # What SIGKILL leaves: a record naming a process that is gone.
    gone = subprocess.Popen(["true"])
    started = process_start_time(gone.pid)
    gone.wait()
    directory = tmp_path / "mysql-chaos"
    directory.mkdir(mode=0o700)
    (directory / "up-default.json").write_text(
        json.dumps({"pid": gone.pid, "start_time": str(started)})
    )
    result = run_cli(command, env={**os.environ, "XDG_RUNTIME_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert not directory.exists()


def test_clean_removes_an_empty_runtime_directory(tmp_path: Path) -> None:
    (tmp_path / "mysql-chaos").mkdir(mode=0o700)
    result = run_cli("clean", env={**os.environ, "XDG_RUNTIME_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "mysql-chaos").exists()


def test_a_second_up_is_refused_while_one_runs(up: Up) -> None:
    second = run_cli("up", env=up.env)
    assert second.returncode == 2
    assert second.stderr.strip() == (
        f"mysql-chaos: mysql-chaos up 'default' is already running (pid {up.process.pid})"
    )


def test_down_with_nothing_running_says_so(tmp_path: Path) -> None:
    result = run_cli("down", env={**os.environ, "XDG_RUNTIME_DIR": str(tmp_path)})
    assert result.returncode == 0
    assert result.stdout.strip() == "no mysql-chaos up 'default' is running"


def test_named_ups_run_side_by_side_and_down_name_stops_only_its_own(up: Up) -> None:
    with running_up(up.env, "--name", "second") as second:
        assert second.settings["server (direct)"] != up.settings["server (direct)"]
        down = run_cli("down", "second", env=up.env)
        assert down.returncode == 0, down.stderr
        assert down.stdout.strip() == f"stopped mysql-chaos up 'second' (pid {second.process.pid})"
        code, _stdout = second.finish()
        assert code == 0 and _gone(second.marker), processes_with(second.marker)
    # The default one runs on, untouched, and still serves.
    assert up.process.poll() is None
    assert _query(up.settings["server (via proxy)"]) == 1
    again = run_cli("down", "second", env=up.env)
    assert again.stdout.strip() == "no mysql-chaos up 'second' is running (running: default)"


def test_down_without_a_name_stops_only_the_default_one(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_RUNTIME_DIR": str(tmp_path)}
    with running_up(env, "--name", "other") as other:
        down = run_cli("down", env=env)
        assert down.stdout.strip() == "no mysql-chaos up 'default' is running (running: other)"
        assert other.process.poll() is None
        assert (tmp_path / "mysql-chaos" / "up-other.json").exists()


@pytest.mark.parametrize("name", ["Default", "a_b", "-x", "x-", "../up", "a" * 33, ""])
def test_a_malformed_name_is_one_line_and_exit_2(tmp_path: Path, name: str) -> None:
    env = {**os.environ, "XDG_RUNTIME_DIR": str(tmp_path)}
    for args in (("up", f"--name={name}"), ("down", "--", name)):
        result = run_cli(*args, env=env)
        assert result.returncode == 2, result
        (line,) = result.stderr.strip().splitlines()
        assert line.startswith(f"mysql-chaos: bad up name {name!r}")
    assert not (tmp_path / "mysql-chaos").exists()  # nothing made, nothing started
