"""The plugin's fixtures: a server, a Toxiproxy, a proxy in front of the server, a fault.

Session-scoped ones are shared by every test of a pytest process (of an xdist worker); the
function-scoped ones clean up after each test, also when it failed.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING

import pytest

from chaos.pytest_plugin.resources import resources

if TYPE_CHECKING:
    from chaos.pytest_plugin.fault_under_test import FaultUnderTest
    from chaos.pytest_plugin.soak_fixture import SoakFixture
    from chaos.runner.environment import Backend
    from chaos.servers.base import MySQLServer
    from chaos.settings import ConnectionSettings
    from chaos.toxiproxy import EmbeddedToxiproxy, ProxyHandle, ToxiproxyClient

_proxy_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def mysql_chaos_backend(pytestconfig: pytest.Config) -> Backend:
    """Where servers come from: disposable local ones, containers, or the external URL."""
    return resources(pytestconfig).options.backend


@pytest.fixture(scope="session")
def mysql_chaos_server(mysql_chaos_backend: Backend) -> Iterator[MySQLServer]:
    """A server for the session: a disposable one (stopped at the end), or the external one.

    Its ``settings`` are the unprivileged client account over TCP; ``admin_settings`` reach it
    as root (over a Unix socket, for a disposable local server). Tests that restart, kill or
    reconfigure a server use ``mysql_chaos_fault``, which gives each test a server of its own.
    """
    backend = mysql_chaos_backend
    if backend.external_url:
        from chaos.servers.external import ExternalServer

        yield ExternalServer.from_url(backend.external_url).start()
        return
    if backend.docker_image:
        from chaos.servers.docker import DockerServer

        server: MySQLServer = DockerServer(base=backend.docker_image, name="pytest-session")
    else:
        from chaos.servers.local import LocalServer

        server = LocalServer(
            binary=backend.server_binary, name="pytest-session", args=backend.server_options
        )
    with server:
        yield server


@pytest.fixture(scope="session")
def mysql_chaos_toxiproxy(pytestconfig: pytest.Config) -> ToxiproxyClient:
    """A client for the process's Toxiproxy: ``--toxiproxy-url`` / ``$TOXIPROXY_URL``, else the
    embedded one (started on first use, stopped at the end of the session)."""
    return resources(pytestconfig).toxiproxy.client()


@pytest.fixture(scope="session")
def mysql_chaos_embedded_toxiproxy(
    pytestconfig: pytest.Config, mysql_chaos_toxiproxy: ToxiproxyClient
) -> EmbeddedToxiproxy | None:
    """The embedded server behind ``mysql_chaos_toxiproxy``, or ``None`` for a real one."""
    return resources(pytestconfig).toxiproxy.embedded


@pytest.fixture
def mysql_chaos_proxy(
    mysql_chaos_toxiproxy: ToxiproxyClient, mysql_chaos_server: MySQLServer
) -> Iterator[ProxyHandle]:
    """A proxy of this test's own in front of the session's server, deleted afterwards."""
    settings = mysql_chaos_server.settings
    proxy = mysql_chaos_toxiproxy.create_proxy(
        f"mysql_chaos_{os.getpid()}_{next(_proxy_numbers)}",
        upstream=f"{settings.host}:{settings.port}",
        listen="127.0.0.1:0",
    )
    try:
        yield proxy
    finally:
        proxy.delete()


@pytest.fixture
def mysql_chaos_proxied_settings(
    mysql_chaos_server: MySQLServer, mysql_chaos_proxy: ProxyHandle
) -> ConnectionSettings:
    """The client account's settings, through ``mysql_chaos_proxy`` (``.url()`` for a DSN)."""
    return replace(
        mysql_chaos_server.settings,
        host=mysql_chaos_proxy.listen_host,
        port=mysql_chaos_proxy.listen_port,
    )


@pytest.fixture
def mysql_chaos_fault(request: pytest.FixtureRequest) -> Iterator[FaultUnderTest]:
    """A fault of the catalogue, prepared in a world of its own; see :class:`FaultUnderTest`.

    Parametrized over the catalogue, the ``mysql_chaos(faults=[...])`` marker's faults or those
    of ``--mysql-chaos-fault``. Skips with the reason when the fault cannot run here. The test
    runs where the client reaches the server (inside the namespace of a kernel fault); the fault
    is healed and everything removed at teardown, also when the test failed. A fault that
    says it never struck the test's client fails the test (or errors at teardown) with why.
    """
    from chaos.faults import FAULTS, Need
    from chaos.pytest_plugin.fault_under_test import FaultUnavailable, FaultUnderTest

    name = getattr(request, "param", None)
    if name is None:
        pytest.fail(
            "mysql_chaos_fault is parametrized by the plugin: request it as a test's argument",
            pytrace=False,
        )
    fault_class = FAULTS.get(name)
    process = resources(request.config)
    backend = _backend_for(request, process.options.backend)
    toxiproxy = process.toxiproxy.client() if Need.PROXY in fault_class.needs else None
    fault = FaultUnderTest(fault_class, backend, toxiproxy)
    try:
        fault.start()
    except FaultUnavailable as e:
        pytest.skip(str(e))
    try:
        with fault.entered():
            yield fault
    finally:
        fault.stop()
    reason = fault.never_struck()  # inject() and heal() called by the test itself
    if reason is not None:
        pytest.fail(reason, pytrace=False)


def _backend_for(request: pytest.FixtureRequest, backend: Backend) -> Backend:
    """The session's backend with the test's ``mysql_chaos(server_options=[...])`` added; a
    refused option fails the test in one line."""
    from chaos.errors import ChaosError
    from chaos.pytest_plugin.server_settings import with_marker_options

    marker = request.node.get_closest_marker("mysql_chaos")
    where = request.node.nodeid.split("[", 1)[0]
    try:
        return with_marker_options(backend, marker, where)
    except ChaosError as e:
        pytest.fail(str(e), pytrace=False)


@pytest.fixture
def mysql_chaos_soak(request: pytest.FixtureRequest) -> SoakFixture:
    """Seeded random fault schedules against a strategy (see :class:`SoakFixture`), from
    ``--mysql-chaos-seed`` or a random seed; a failing soak prints the seed that replays it."""
    from chaos.pytest_plugin.soak_fixture import SoakFixture
    from chaos.soak import random_seed

    process = resources(request.config)
    seed = process.options.seed
    # The process's Toxiproxy (started on first use): nearly every schedule has a proxy fault.
    toxiproxy = process.toxiproxy.client()
    return SoakFixture(random_seed() if seed is None else seed, process.options.backend, toxiproxy)
