"""``--server docker:IMAGE``: matrix cells run against containers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from chaos.cli.main import cli
from chaos.errors import CapabilityMissingError
from chaos.faults import FAULTS
from chaos.runner.environment import Backend, CellEnvironment
from chaos.servers.docker import DockerServer
from chaos.servers.docker.engine import import_docker

pytestmark = pytest.mark.docker


def test_a_docker_backend_cell_runs_on_a_container_even_in_a_namespace(server_image):
    backend = Backend(docker_image="local")
    with CellEnvironment(FAULTS.get("server-crash"), backend) as env:
        assert isinstance(env.server, DockerServer)
        assert env.server.container.status in ("created", "running")
        assert env.server.query("SELECT @@version_comment") == [("Debian 12",)]
        container = env.server.container
    import docker

    with pytest.raises(docker.errors.NotFound):
        container.reload()  # the cell removed its container


def test_matrix_with_server_docker_runs_the_cell_and_meets_its_expectation(server_image):
    result = CliRunner().invoke(
        cli,
        ["matrix", "--server", "docker:local", "--strategy", "safe", "--fault", "server-crash"],
    )
    assert result.exit_code == 0, result.output
    assert "safe x server-crash: pass" in result.output


def test_an_unknown_server_kind_is_one_line_and_exit_2():
    result = CliRunner().invoke(cli, ["check", "x:y", "--server", "vm:thing"])
    assert result.exit_code == 2
    assert "expected local, mysql, docker or docker:IMAGE" in result.output


def test_server_docker_without_an_engine_is_one_line_and_exit_4():
    env = {**os.environ, "DOCKER_HOST": "unix:///nonexistent/mysql-chaos.sock"}
    command = Path(sys.executable).parent / "mysql-chaos"
    args = ["matrix", "--server", "docker:local", "--strategy", "safe", "--fault", "outage"]
    result = subprocess.run(
        [str(command), *args], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 4
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    try:
        import_docker()
    except CapabilityMissingError as missing:  # without the extra, that is the one line
        assert lines[0] == f"mysql-chaos: {missing}"
    else:
        assert lines[0].startswith(
            "mysql-chaos: container engine at unix:///nonexistent/mysql-chaos.sock is not reachable"
        )
