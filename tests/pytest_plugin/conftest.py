"""Fixtures for the plugin's own tests: the suite's server reached by URL, as an external one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from scratch_accounts import scratch_account

from chaos.servers.base import MySQLServer


@pytest.fixture(scope="module")
def external_account_url(mysql_chaos_server: MySQLServer) -> Iterator[str]:
    """``--mysql-chaos-server-url`` for an inner run: an account on the suite's server like a CI
    service container's: a database of its own, the databases the runner makes per test
    (``mchaos_cell_*``) and CONNECTION ADMIN (to kill sessions), nothing else; dropped after."""
    grants = ("CONNECTION ADMIN ON *.*", "ALL PRIVILEGES ON `mchaos\\_cell\\_%`.*")
    with scratch_account(mysql_chaos_server, "plugin_", *grants) as settings:
        yield settings.url(scheme="mysql")
