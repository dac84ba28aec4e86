"""Fixtures for the strategy and app tests: the suite's MariaDB, one throwaway database per test.

The server is the suite's own (tests/conftest.py); strategies connect as its unprivileged client
account. Every test gets ``mchaos_apps_<random>``, dropped afterwards even when the test fails;
connections are only ever killed when they are in that database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import replace

import pymysql
import pytest
from apps_testkit import AdminSession, InsertUnits

from chaos.servers.local import LocalServer
from chaos.settings import ConnectionSettings
from chaos.strategy import StrategyConfig


@pytest.fixture(scope="session")
def server_settings(mysql_chaos_server: LocalServer) -> ConnectionSettings:
    """The client account's settings on the suite's server (its default database)."""
    return mysql_chaos_server.settings


@pytest.fixture
def database(
    make_database: Callable[[str], AbstractContextManager[ConnectionSettings]],
) -> Iterator[str]:
    with make_database("mchaos_apps_") as settings:
        conn = pymysql.connect(**settings.pymysql_kwargs(autocommit=True))
        try:
            with conn.cursor() as cursor:
                cursor.execute(
                    "CREATE TABLE items (id INT PRIMARY KEY, note VARCHAR(40)) ENGINE=InnoDB"
                )
        finally:
            conn.close()
        yield settings.database


@pytest.fixture
def settings(server_settings: ConnectionSettings, database: str) -> ConnectionSettings:
    return replace(server_settings, database=database)


@pytest.fixture
def admin(mysql_chaos_server: LocalServer, database: str) -> Iterator[AdminSession]:
    session = AdminSession(mysql_chaos_server.admin_settings, database)
    try:
        yield session
    finally:
        session.close()


@pytest.fixture
def config(settings: ConnectionSettings) -> StrategyConfig:
    # A recycle far beyond any test: timer- and pool-recycling must not hide a dead connection.
    return StrategyConfig(connection=settings, recycle_seconds=3600.0, idle_seconds=28800.0)


@pytest.fixture
def units(admin: AdminSession) -> InsertUnits:
    return InsertUnits(admin)
