"""Reaching the container engine: which socket, one clear line when there is none.

Everything the backend makes carries :data:`OWNER_LABEL` naming its owner (pid and start time,
as :func:`chaos.owner.owner_tag`), so the sweep can remove what a dead owner left
(:mod:`chaos.servers.docker.leftovers`).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from chaos.errors import CapabilityMissingError
from chaos.owner import owner_tag

if TYPE_CHECKING:
    import docker

__all__ = [
    "API_VERSION",
    "OWNER_LABEL",
    "engine_client",
    "engine_socket",
    "import_docker",
    "owner_labels",
]
#: The label naming the owner on every container, network and volume the backend makes.
OWNER_LABEL = "io.mysql-chaos.owner"
#: Where engines put their Docker API socket, tried in order when DOCKER_HOST is unset.
DEFAULT_SOCKETS = ("/run/podman/podman.sock", "/var/run/docker.sock")
_API_TIMEOUT = 120
#: Pinned rather than negotiated: negotiating costs a /version call that podman answers in about
#: half a second, on every sweep. Docker and podman both serve 1.41.
API_VERSION = "1.41"


def engine_socket() -> str | None:
    """``DOCKER_HOST`` if set, else the first default socket that exists (no connection made)."""
    if os.environ.get("DOCKER_HOST"):
        return os.environ["DOCKER_HOST"]
    for path in DEFAULT_SOCKETS:
        if os.path.exists(path):
            return f"unix://{path}"
    return None


def owner_labels() -> dict[str, str]:
    return {OWNER_LABEL: owner_tag()}


def import_docker() -> Any:
    try:
        import docker
    except ImportError:
        docker = None
    # A directory named docker on sys.path (a test folder) imports as an empty namespace package.
    if getattr(docker, "DockerClient", None) is None:
        raise CapabilityMissingError(
            "the docker backend needs the docker package: pip install 'mysql-chaos[docker]'"
        )
    return docker


def engine_client() -> docker.DockerClient:
    """A client for the engine, checked with one ping; CapabilityMissingError when unreachable."""
    docker = import_docker()
    url = engine_socket()
    if url is None:
        raise CapabilityMissingError(
            "no container engine: set DOCKER_HOST, or start one "
            "(scripts/container-engine.sh install; scripts/container-engine.sh serve SOCKET)"
        )
    try:
        client = docker.DockerClient(base_url=url, version=API_VERSION, timeout=_API_TIMEOUT)
        client.ping()
    except (docker.errors.DockerException, OSError, ValueError) as e:
        # requests' ConnectionError is an OSError: a socket file nothing listens on.
        raise CapabilityMissingError(f"container engine at {url} is not reachable: {e}") from e
    return client
