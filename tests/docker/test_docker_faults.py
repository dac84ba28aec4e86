"""Faults against a containerised server: one through the proxy, one in the kernel.

The kernel fault needs the container in a namespace the suite made (podman's ``ns:`` network
mode): client and server then share that namespace's loopback and short keepalive timers, and
the seed's exact errno-110 error comes out, as against a local server.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import replace

import pymysql
import pytest

from chaos.errors import CapabilityMissingError
from chaos.faults.base import FaultTarget
from chaos.faults.kernel_faults import MiddleboxDropFault
from chaos.faults.proxy_faults import ResetPeerFault
from chaos.netns import NetworkNamespace, require_net_admin
from chaos.servers.docker import DockerServer
from chaos.toxiproxy import EmbeddedToxiproxy
from tests.servers.support import scalar

pytestmark = pytest.mark.docker

SEED_ERROR = (
    "OperationalError(2006, \"MySQL server has gone away (TimeoutError(110, 'Connection timed "
    "out'))\")"
)


@contextlib.contextmanager
def _connection(settings, **overrides: object) -> Iterator[pymysql.Connection]:
    conn = pymysql.connect(**settings.pymysql_kwargs(**overrides))
    try:
        yield conn
    finally:
        with contextlib.suppress(pymysql.err.Error):
            conn.close()


@pytest.fixture
def namespaced_docker_server(server_image) -> Iterator[tuple[NetworkNamespace, DockerServer]]:
    try:
        require_net_admin()
    except CapabilityMissingError as e:
        pytest.skip(str(e))
    # The container stops first: a process inside keeps the namespace alive.
    with NetworkNamespace() as namespace, DockerServer(namespace=namespace) as server:
        yield namespace, server


def test_middlebox_drop_against_a_container_gives_the_seed_error(namespaced_docker_server):
    namespace, server = namespaced_docker_server
    target = FaultTarget(
        server=server,
        client_settings=server.settings,
        admin_settings=server.admin_settings,
        namespace=namespace,
    )
    fault = MiddleboxDropFault(target)
    with namespace.entered(), _connection(server.settings) as conn:
        assert scalar(conn, "SELECT @@port") == server.port
        try:
            fault.inject()  # returns once the kernel has declared the idle connection dead
        finally:
            fault.heal()
        with pytest.raises(pymysql.err.OperationalError) as gone:
            scalar(conn, "SELECT 1")
        assert repr(gone.value) == SEED_ERROR
        # The middlebox forgot the old flow only: a new connection works.
        with _connection(server.settings) as fresh:
            assert scalar(fresh, "SELECT 1") == 1


def test_container_in_a_namespace_is_unreachable_from_the_host_network(namespaced_docker_server):
    _namespace, server = namespaced_docker_server
    with pytest.raises(pymysql.err.OperationalError) as refused:
        pymysql.connect(**server.settings.pymysql_kwargs(connect_timeout=2))
    assert refused.value.args[0] == 2003
    # The admin session still reaches it: the Unix socket crosses namespaces.
    assert server.query("SELECT 1") == [(1,)]


def test_reset_peer_through_the_embedded_proxy_in_front_of_a_container(docker_server):
    with EmbeddedToxiproxy(mode="process") as toxiproxy:
        settings = docker_server.settings
        proxy = toxiproxy.client().create_proxy(
            "docker_reset", upstream=f"{settings.host}:{settings.port}", listen="127.0.0.1:0"
        )
        through_proxy = replace(settings, host=proxy.listen_host, port=proxy.listen_port)
        target = FaultTarget(
            server=docker_server,
            client_settings=through_proxy,
            admin_settings=docker_server.admin_settings,
            proxy=proxy,
        )
        fault = ResetPeerFault(target)
        fault.prepare()  # as a cell does: the links the client opens next are armed for RST
        with _connection(through_proxy) as conn:
            assert scalar(conn, "SELECT CURRENT_USER()") == "app@%"
            fault.inject()
            try:
                with pytest.raises(pymysql.err.OperationalError) as reset:
                    scalar(conn, "SELECT 1")
            finally:
                fault.heal()
        assert repr(reset.value) == ResetPeerFault.produces
        with _connection(through_proxy) as healed:
            assert scalar(healed, "SELECT 1") == 1
