"""The sweep removes what a SIGKILLed owner left in the engine, and costs nothing without one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from chaos.servers.docker.engine import OWNER_LABEL
from chaos.servers.docker.leftovers import stale_engine_objects
from chaos.sweep import sweep

pytestmark = pytest.mark.docker

_OWNER = textwrap.dedent(
    """
    import sys, time
    from chaos.servers.docker import DockerServer
    server = DockerServer(name="sweep-victim").start()
    print(server.container.id, server.workdir, flush=True)
    time.sleep(600)
    """
)


def test_containers_of_a_sigkilled_owner_are_removed_by_the_next_sweep(server_image, engine):
    import docker

    owner = subprocess.Popen([sys.executable, "-c", _OWNER], stdout=subprocess.PIPE, text=True)
    try:
        container_id, workdir = owner.stdout.readline().split()
        assert engine.containers.get(container_id).labels[OWNER_LABEL].startswith(f"{owner.pid}-")
    finally:
        owner.send_signal(signal.SIGKILL)
        owner.wait()
        owner.stdout.close()
    # The owner ran no cleanup: its container still runs.
    assert engine.containers.get(container_id).status == "running"

    removed = sweep()

    assert any(line.startswith("container mysql-chaos-") for line in removed)
    with pytest.raises(docker.errors.NotFound):
        engine.containers.get(container_id)
    assert not os.path.exists(workdir)


def test_sweep_of_live_owners_containers_finds_nothing_to_remove(docker_server):
    assert stale_engine_objects() == []
    assert docker_server.query("SELECT 1") == [(1,)]


def test_sweep_without_an_engine_is_silent(monkeypatch, caplog):
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/mysql-chaos.sock")
    assert stale_engine_objects() == []
    assert not [r for r in caplog.records if r.levelname in ("WARNING", "ERROR")]
