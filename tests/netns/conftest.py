"""Fixtures for kernel faults: a namespace of the test's own with a server inside it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chaos.netns import NetworkNamespace
from chaos.servers.local import LocalServer


@pytest.fixture(scope="module")
def namespaced_server() -> Iterator[tuple[NetworkNamespace, LocalServer]]:
    """A namespace and a server inside it; the server stops first (it keeps the namespace).

    Only tests marked with ``requires_net_admin`` use it, so it never runs where it cannot.
    """
    with NetworkNamespace() as namespace, LocalServer(preexec=namespace.preexec()) as server:
        yield namespace, server
