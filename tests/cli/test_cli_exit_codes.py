"""Errors of the environment exit with the README's codes, never 1 (a gate's "verdict differs").

2 when the user named something wrongly (an option or environment variable), 4 when the machine
lacks something or holds it: each one line, no traceback.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.support import run_cli

MATRIX = ("matrix", "--strategy", "safe", "--fault", "kill-connection")


def _one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    return result.stderr.strip()


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield taken.getsockname()[1]


def test_a_missing_docker_extra_is_an_environment_error() -> None:
    # The docker package made unimportable, as where the extra was not installed.
    code = (
        "import sys; sys.modules['docker'] = None; "
        "sys.argv = ['mysql-chaos', *sys.argv[1:]]; "
        "from chaos.cli.main import main; main()"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, *MATRIX, "--server", "docker:local"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 4
    assert _one_line(result) == (
        "mysql-chaos: the docker backend needs the docker package: "
        "pip install 'mysql-chaos[docker]'"
    )


def test_an_unusable_xdg_cache_home_is_bad_input(tmp_path: Path) -> None:
    not_a_directory = tmp_path / "cache"
    not_a_directory.write_text("")
    result = run_cli(*MATRIX, env={**os.environ, "XDG_CACHE_HOME": str(not_a_directory)})
    assert result.returncode == 2
    assert _one_line(result).startswith(
        f"mysql-chaos: template cache {not_a_directory}/mysql-chaos/templates is not usable"
    )


def test_a_default_cache_that_cannot_exist_is_an_environment_error() -> None:
    env = {k: v for k, v in os.environ.items() if k != "XDG_CACHE_HOME"}
    result = run_cli(*MATRIX, env={**env, "HOME": "/nonexistent"})
    assert result.returncode == 4
    assert _one_line(result).startswith(
        "mysql-chaos: template cache: home directory /nonexistent does not exist"
    )


def test_a_missing_named_server_binary_is_bad_input() -> None:
    result = run_cli(*MATRIX, env={**os.environ, "MYSQL_CHAOS_SERVER_BINARY": "/nonexistent"})
    assert result.returncode == 2
    assert _one_line(result) == (
        "mysql-chaos: server binary '/nonexistent' not found or not executable"
    )


def test_a_named_binary_that_is_no_server_is_bad_input(tmp_path: Path) -> None:
    silent = tmp_path / "mariadbd"
    silent.write_text("#!/bin/sh\n")
    silent.chmod(0o755)
    result = run_cli(*MATRIX, env={**os.environ, "MYSQL_CHAOS_SERVER_BINARY": str(silent)})
    assert result.returncode == 2
    assert _one_line(result) == f"mysql-chaos: {silent} --version printed no version: ''"


def test_up_on_a_taken_api_port_is_an_environment_error(tmp_path: Path, taken_port: int) -> None:
    env = {**os.environ, "XDG_RUNTIME_DIR": str(tmp_path)}
    result = run_cli("up", "--api-port", str(taken_port), env=env)
    assert result.returncode == 4
    assert _one_line(result).endswith(f"127.0.0.1:{taken_port}: port already in use")
    assert not (tmp_path / "mysql-chaos" / "up-default.json").exists()
