"""A real container engine for the docker tests, made here if the machine can run one.

Order: an engine that already answers (``DOCKER_HOST`` or a default socket); else podman, installed
by ``scripts/container-engine.sh`` when missing (as root), serving the Docker API on a private
socket for this session only. Every test here skips with one reason when none of that can work.
At the end of the session no container, network or volume of this process may remain.

Not a package (no __init__.py): as one, this folder would shadow the real ``docker`` package
for every test module whose root is tests/.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from typing import Any

import pytest
from engine_install import SCRIPT, install_engine_or_skip

from chaos import lifecycle
from chaos.errors import CapabilityMissingError
from chaos.owner import owned_prefix, owner_tag
from chaos.servers.docker.engine import OWNER_LABEL


def _podman_service(socket_dir: str) -> Any:
    """Serve the Docker API on a socket in ``socket_dir``; the process, once it answers."""
    path = os.path.join(socket_dir, "podman.sock")
    service = lifecycle.spawn(
        ["sh", str(SCRIPT), "serve", path],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while not os.path.exists(path):
        if service.poll() is not None or time.monotonic() > deadline:
            service.kill()
            service.wait()
            pytest.skip(f"podman system service did not start (exit {service.poll()})")
        time.sleep(0.05)
    os.environ["DOCKER_HOST"] = f"unix://{path}"
    return service


@pytest.fixture(scope="session")
def engine() -> Iterator[Any]:
    """A ``docker.DockerClient`` talking to a real engine."""
    from chaos.servers.docker import engine_client
    from chaos.servers.docker.engine import import_docker

    try:
        import_docker()  # a missing extra is not a missing engine: say which
    except CapabilityMissingError as e:
        pytest.skip(f"{e} (pip install -e '.[test,docker]')")

    service = None
    socket_dir = None
    saved_host = os.environ.get("DOCKER_HOST")
    try:
        client = engine_client()
    except CapabilityMissingError as unreachable:
        if shutil.which("podman") is None:
            install_engine_or_skip(f"{unreachable}; podman is not installed")
        # Named for its owner: the sweep removes it if this session is killed outright.
        socket_dir = tempfile.mkdtemp(prefix=owned_prefix("engine"))
        service = _podman_service(socket_dir)
        try:
            client = engine_client()
        except CapabilityMissingError as e:
            pytest.skip(str(e))
    try:
        yield client
        left = [
            f"{kind} {item.name}"
            for kind, items in (
                ("container", client.containers.list(all=True, filters=_mine())),
                ("network", client.networks.list(filters=_mine())),
                ("volume", client.volumes.list(filters=_mine())),
            )
            for item in items
        ]
        assert not left, f"the docker tests left {left}"
    finally:
        client.close()
        if service is not None:
            service.terminate()
            service.wait(30)
        if saved_host is None:
            os.environ.pop("DOCKER_HOST", None)
        else:
            os.environ["DOCKER_HOST"] = saved_host
        if socket_dir is not None:
            shutil.rmtree(socket_dir, ignore_errors=True)


def _mine() -> dict[str, str]:
    return {"label": f"{OWNER_LABEL}={owner_tag()}"}


@pytest.fixture(scope="session")
def server_image(engine: Any) -> str:
    """The cached server image (built on the first run on this machine, found afterwards)."""
    from chaos.servers.docker import server_image

    try:
        return server_image(engine)
    except CapabilityMissingError as e:
        pytest.skip(str(e))


@pytest.fixture
def docker_server(server_image: str) -> Iterator[Any]:
    """A container of its own for each test (they restart, kill and freeze it)."""
    from chaos.servers.docker import DockerServer

    with DockerServer(name="tests-docker") as server:
        yield server
