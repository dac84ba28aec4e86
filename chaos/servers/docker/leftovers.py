"""What dead owners left in the container engine: containers, networks and volumes whose
:data:`~chaos.servers.docker.engine.OWNER_LABEL` names a dead owner, for the sweep
(:mod:`chaos.sweep`).

Silent and immediate when there is no engine socket or no ``docker`` package (without the docker
extra a run makes no containers); an engine that does not answer is logged at debug level only: a
sweep never stops a run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from chaos.errors import CapabilityMissingError
from chaos.owner import tag_names_dead_owner
from chaos.servers.docker.engine import API_VERSION, OWNER_LABEL, engine_socket, import_docker
from chaos.sweep import RunningProcess

log = logging.getLogger(__name__)

_SWEEP_TIMEOUT = 30


@dataclass(frozen=True)
class StaleEngineObject:
    """A container, network or volume whose owner is dead."""

    kind: str  # "container", "network" or "volume": removed in that order (one in use cannot be)
    key: str  # its id (a volume's name)
    label: str  # its name, as shown
    url: str  # the engine that holds it

    @property
    def name(self) -> str:
        return f"{self.kind} {self.label}"

    def holds(self, process: RunningProcess) -> bool:
        return False  # what runs in a container goes with it

    def remove(self) -> bool:
        docker = import_docker()
        try:
            client = docker.DockerClient(
                base_url=self.url, version=API_VERSION, timeout=_SWEEP_TIMEOUT
            )
            try:
                if self.kind == "container":
                    client.api.remove_container(self.key, v=True, force=True)
                elif self.kind == "network":
                    client.api.remove_network(self.key)
                else:
                    client.api.remove_volume(self.key, force=True)
            finally:
                client.close()
        except (docker.errors.DockerException, OSError, ValueError) as e:
            log.debug("cannot remove %s from the engine at %s: %s", self.name, self.url, e)
            return False
        return True


def stale_engine_objects() -> list[StaleEngineObject]:
    url = engine_socket()
    if url is None:
        return []
    try:
        docker = import_docker()
    except CapabilityMissingError:
        return []
    found = []
    try:
        client = docker.DockerClient(base_url=url, version=API_VERSION, timeout=_SWEEP_TIMEOUT)
        try:
            owned = {"label": OWNER_LABEL}
            # Containers first: a network or volume in use cannot be removed.
            for container in client.containers.list(all=True, filters=owned):
                if _dead(container.labels):
                    found.append(StaleEngineObject("container", container.id, container.name, url))
            for network in client.networks.list(filters=owned):
                if _dead(network.attrs.get("Labels")):
                    found.append(StaleEngineObject("network", network.id, network.name, url))
            for volume in client.volumes.list(filters=owned):
                if _dead(volume.attrs.get("Labels")):
                    found.append(StaleEngineObject("volume", volume.name, volume.name, url))
        finally:
            client.close()
    except (docker.errors.DockerException, OSError, ValueError) as e:
        log.debug("no container engine to sweep at %s: %s", url, e)
    return found


def _dead(labels: dict[str, str] | None) -> bool:
    return tag_names_dead_owner((labels or {}).get(OWNER_LABEL, ""))
