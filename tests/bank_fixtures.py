"""A real bank in a throw-away database on the test server, dropped after each test.

Shared by the workload and checker tests; each package's conftest re-exports it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pymysql
import pytest

from chaos.settings import ConnectionSettings
from chaos.workload.bank import create_schema
from chaos.workload.database import scratch_database

SERVER = ConnectionSettings.from_url(
    os.environ.get("MYSQL_CHAOS_TEST_URL", "mysql://root@127.0.0.1:3306/test")
)
ACCOUNTS = 8
INITIAL_BALANCE = 1000
INITIAL_TOTAL = ACCOUNTS * INITIAL_BALANCE


def connect(settings: ConnectionSettings, **overrides: object) -> pymysql.Connection:
    return pymysql.connect(**settings.pymysql_kwargs(**overrides))


@pytest.fixture
def bank() -> Iterator[ConnectionSettings]:
    """Settings of a database ``mchaos_wl_<random>`` holding a fresh bank."""
    with scratch_database(SERVER, prefix="mchaos_wl_") as settings:
        with connect(settings) as conn:
            create_schema(conn, accounts=ACCOUNTS, initial_balance=INITIAL_BALANCE)
        yield settings
