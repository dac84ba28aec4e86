"""A cell on an external server: a database of its own, and nothing to undo when it was refused."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pymysql
import pytest
from scratch_accounts import scratch_account

from chaos.faults import FAULTS
from chaos.runner.environment import Backend, CellEnvironment
from chaos.servers.base import MySQLServer


@pytest.fixture
def account_without_create(mysql_chaos_server: MySQLServer) -> Iterator[str]:
    """A URL for an account that may use its own database and create no other."""
    with scratch_account(mysql_chaos_server, "nocreate_") as settings:
        yield settings.url(scheme="mysql")


def test_a_refused_cell_database_is_the_error_and_cleanup_is_quiet(
    account_without_create: str, caplog: pytest.LogCaptureFixture
) -> None:
    environment = CellEnvironment(
        FAULTS.get("kill-connection"), Backend(external_url=account_without_create)
    )
    with caplog.at_level(logging.WARNING), pytest.raises(pymysql.err.OperationalError) as raised:
        environment.start()
    assert raised.value.args[0] == 1044  # access denied to the cell's database
    assert [r.getMessage() for r in caplog.records if "cleanup" in r.getMessage()] == []
