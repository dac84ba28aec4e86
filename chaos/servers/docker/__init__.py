"""The docker backend: a MariaDB/MySQL container as a server, through the ``docker`` SDK.

Works with any engine that serves the Docker API (Docker, or podman's ``system service``). The
``docker`` package is imported only when this backend is used, so the rest of the suite runs
without the ``docker`` extra.
"""

from chaos.servers.docker.engine import OWNER_LABEL, engine_client, engine_socket
from chaos.servers.docker.image import LOCAL_BASE, LOCAL_MYSQL_BASE, server_image
from chaos.servers.docker.server import DockerServer

__all__ = [
    "LOCAL_BASE",
    "LOCAL_MYSQL_BASE",
    "OWNER_LABEL",
    "DockerServer",
    "engine_client",
    "engine_socket",
    "server_image",
]
