"""A real bank in a throw-away database on the suite's server, dropped after each test.

Shared by the workload and checker tests; each package's conftest re-exports it. The server and
the databases come from tests/conftest.py; clients connect as the unprivileged account.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

import pymysql
import pytest

from chaos.settings import ConnectionSettings
from chaos.workload.bank import create_schema

ACCOUNTS = 8
INITIAL_BALANCE = 1000
INITIAL_TOTAL = ACCOUNTS * INITIAL_BALANCE


def connect(settings: ConnectionSettings, **overrides: object) -> pymysql.Connection:
    return pymysql.connect(**settings.pymysql_kwargs(**overrides))


@pytest.fixture
def bank(
    make_database: Callable[[str], AbstractContextManager[ConnectionSettings]],
) -> Iterator[ConnectionSettings]:
    """Settings of a database ``mchaos_wl_<random>`` holding a fresh bank."""
    with make_database("mchaos_wl_") as settings:
        with connect(settings) as conn:
            create_schema(conn, accounts=ACCOUNTS, initial_balance=INITIAL_BALANCE)
        yield settings
