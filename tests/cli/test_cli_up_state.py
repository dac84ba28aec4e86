"""``up``'s record against another local user: a planted record makes ``down`` signal nothing.

The would-be victim is a ``sleep`` of our own; the attacker is uid 65534 (nobody), whose
directory and file are made here with chown, as that user would have made them first.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from interruptible import popen_interruptible

from chaos.owner import process_start_time
from tests.cli.support import run_cli

ATTACKER = 65534

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root to act as another user")


@pytest.fixture
def victim() -> Iterator[int]:
    """A process of ours that a planted record names."""
    process = popen_interruptible(["sleep", "300"])
    try:
        yield process.pid
    finally:
        process.kill()
        process.wait()


def _alive(pid: int) -> bool:
    return process_start_time(pid) is not None


def _plant(directory: Path, pid: int, owner: int | None = None, mode: int = 0o700) -> Path:
    """``{"pid": P, "start_time": S}`` of ``pid`` in ``directory``/up-default.json, as an attacker
    (``owner``) or a crashed run would leave it."""
    directory.mkdir()
    directory.chmod(mode)
    record = directory / "up-default.json"
    record.write_text(json.dumps({"pid": pid, "start_time": str(process_start_time(pid))}))
    record.chmod(0o600)
    if owner is not None:
        os.chown(record, owner, owner)
        os.chown(directory, owner, owner)
    return record


def _shared_temp(tmp_path: Path) -> Path:
    """A directory every user may write, sticky, as /tmp is."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    return shared


def _env(**variables: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("XDG_RUNTIME_DIR", "TMPDIR")}
    return {**env, **variables}


def _one_line(result: object) -> str:
    stderr = result.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in stderr
    assert stderr.count("\n") == 1, stderr
    return stderr.strip()


@pytest.mark.parametrize("where", ["XDG_RUNTIME_DIR", "TMPDIR"])
def test_a_runtime_directory_another_user_made_first_is_refused_by_up_and_down(
    tmp_path: Path, victim: int, where: str
) -> None:
    shared = _shared_temp(tmp_path)
    name = "mysql-chaos" if where == "XDG_RUNTIME_DIR" else f"mysql-chaos-{os.getuid()}"
    planted = _plant(shared / name, victim, owner=ATTACKER, mode=0o755).parent
    env = _env(**{where: str(shared)})

    down = run_cli("down", env=env)
    assert down.returncode == 4
    assert _one_line(down) == (
        f"mysql-chaos: refusing {planted}: owned by uid {ATTACKER}, not by uid {os.geteuid()}"
    )
    assert _alive(victim)

    up = run_cli("up", env=env)
    assert up.returncode == 4
    assert _one_line(up) == _one_line(down)
    assert (planted / "up-default.json").exists()  # not ours to remove either


def test_down_signals_no_process_that_does_not_hold_the_record(tmp_path: Path, victim: int) -> None:
    # Our own private directory, a well-formed record, the right pid and start time: still not
    # an up, because the process does not hold the record open.
    record = _plant(tmp_path / "mysql-chaos", victim)
    down = run_cli("down", env=_env(XDG_RUNTIME_DIR=str(tmp_path)))
    assert down.returncode == 4
    assert _one_line(down) == (
        f"mysql-chaos: refusing {record}: pid {victim} is not the mysql-chaos up that wrote it "
        "(record removed, nothing signalled)"
    )
    assert _alive(victim)
    assert not record.exists()
    again = run_cli("down", env=_env(XDG_RUNTIME_DIR=str(tmp_path)))
    assert (again.returncode, again.stdout.strip()) == (0, "no mysql-chaos up 'default' is running")


def test_a_directory_others_may_write_is_refused(tmp_path: Path, victim: int) -> None:
    directory = _plant(tmp_path / "mysql-chaos", victim, mode=0o777).parent
    down = run_cli("down", env=_env(XDG_RUNTIME_DIR=str(tmp_path)))
    assert down.returncode == 4
    assert _one_line(down) == (
        f"mysql-chaos: refusing {directory}: writable by group or others (mode 777)"
    )
    assert _alive(victim)


def test_a_record_file_of_another_user_is_refused(tmp_path: Path, victim: int) -> None:
    record = _plant(tmp_path / "mysql-chaos", victim)
    os.chown(record, ATTACKER, ATTACKER)
    down = run_cli("down", env=_env(XDG_RUNTIME_DIR=str(tmp_path)))
    assert down.returncode == 4
    assert _one_line(down) == (
        f"mysql-chaos: refusing {record}: owned by uid {ATTACKER}, not by uid {os.geteuid()}"
    )
    assert _alive(victim)


def test_symlinks_are_refused_for_the_directory_and_the_record(tmp_path: Path, victim: int) -> None:
    elsewhere = _plant(tmp_path / "elsewhere", victim)
    linked_dir = tmp_path / "by-dir"
    linked_dir.mkdir()
    (linked_dir / "mysql-chaos").symlink_to(elsewhere.parent)
    linked_file = tmp_path / "by-file"
    (linked_file / "mysql-chaos").mkdir(parents=True, mode=0o700)
    (linked_file / "mysql-chaos" / "up-default.json").symlink_to(elsewhere)

    for base, refused in (
        (linked_dir, linked_dir / "mysql-chaos"),
        (linked_file, linked_file / "mysql-chaos" / "up-default.json"),
    ):
        down = run_cli("down", env=_env(XDG_RUNTIME_DIR=str(base)))
        assert down.returncode == 4
        assert _one_line(down).startswith(f"mysql-chaos: refusing {refused}: ")
    assert _alive(victim)
