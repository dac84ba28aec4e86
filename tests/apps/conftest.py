"""Fixtures for the strategy and app tests: a real MariaDB, one throwaway database per test.

The server is the machine's own at 127.0.0.1:3306 (root, empty password), overridable with
``MYSQL_CHAOS_TEST_DSN``. Every test gets ``mchaos_apps_<random>``, dropped afterwards even when
the test fails; connections are only ever killed when they are in that database.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import replace

import pymysql
import pytest
from apps_testkit import SERVER_URL, AdminSession, InsertUnits

from apps.strategies.base import StrategyConfig
from chaos.settings import ConnectionSettings


@pytest.fixture(scope="session")
def server_settings() -> ConnectionSettings:
    settings = ConnectionSettings.from_url(SERVER_URL)
    try:
        pymysql.connect(**settings.pymysql_kwargs(database=None, connect_timeout=2)).close()
    except pymysql.err.MySQLError as e:
        pytest.skip(f"no MySQL/MariaDB server at {SERVER_URL}: {e}")
    return settings


@pytest.fixture
def database(server_settings: ConnectionSettings) -> Iterator[str]:
    name = f"mchaos_apps_{secrets.token_hex(4)}"
    conn = pymysql.connect(**server_settings.pymysql_kwargs(database=None, autocommit=True))
    try:
        with conn.cursor() as cursor:
            cursor.execute(f"CREATE DATABASE `{name}`")
            cursor.execute(
                f"CREATE TABLE `{name}`.items (id INT PRIMARY KEY, note VARCHAR(40)) ENGINE=InnoDB"
            )
        yield name
    finally:
        with conn.cursor() as cursor:
            # A failed test may leave a strategy's sessions behind, holding metadata locks.
            cursor.execute("SHOW PROCESSLIST")  # not information_schema: see apps_testkit
            for row in cursor.fetchall():
                if row[3] != name:
                    continue
                try:
                    cursor.execute(f"KILL CONNECTION {int(row[0])}")
                except pymysql.err.MySQLError:
                    pass  # gone already
            cursor.execute(f"DROP DATABASE IF EXISTS `{name}`")
        conn.close()


@pytest.fixture
def settings(server_settings: ConnectionSettings, database: str) -> ConnectionSettings:
    return replace(server_settings, database=database)


@pytest.fixture
def admin(settings: ConnectionSettings, database: str) -> Iterator[AdminSession]:
    session = AdminSession(settings, database)
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
