"""The session setup on both servers: the init_command sets every field, one SELECT reads them
back, a reconnect through the driver sets them again, and a session without it reads otherwise.

MariaDB comes from the suite's server; Oracle MySQL is skipped, with the one reason, where its
root filesystem has not been made (``./quickstart install-mysql``).
"""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Iterator

import pymysql
import pytest
from pymysql.cursors import DictCursor

from chaos.errors import ServerBinaryMissingError
from chaos.servers.local import LocalServer
from chaos.servers.rootfs import MYSQL_FLAVOUR, mysql_binary
from chaos.session_setup import SESSION_FIELDS, SessionSetup, reading
from chaos.settings import ConnectionSettings
from chaos.workload.bank import create_bank, read_unit, session_setup_for
from chaos.workload.bank_async import async_read_unit

OBJECTS = ("temporary_table", "prepared_statement")


def _mysql_missing() -> str | None:
    try:
        mysql_binary()
    except ServerBinaryMissingError as missing:
        return str(missing)
    return None


@pytest.fixture(scope="module", params=["mariadb", "mysql"])
def server(request: pytest.FixtureRequest) -> Iterator[LocalServer]:
    if request.param == "mysql" and (missing := _mysql_missing()) is not None:
        pytest.skip(missing)
    binary = MYSQL_FLAVOUR if request.param == "mysql" else None
    with LocalServer(binary=binary, name=f"session-setup-{request.param}") as started:
        create_bank(started.admin_settings, accounts=2)
        yield started


def read_back(conn: pymysql.Connection, setup: SessionSetup) -> dict[str, str | None]:
    with conn.cursor() as cursor:
        cursor.execute(f"SELECT {setup.select_list()}")
        row = cursor.fetchone()
    conn.rollback()
    return reading(row)


def expected(setup: SessionSetup) -> dict[str, str | None]:
    return {
        "autocommit": "0",  # pymysql's own setting, applied after the init_command
        "isolation": setup.isolation,
        "sql_mode": setup.sql_mode,
        "time_zone": setup.time_zone,
        "character_set_client": setup.character_set,
        "collation_connection": setup.collation,
        "init_command_variable": setup.marker,
        "holds_named_lock": "1",
    }


def test_the_probe_names_the_isolation_variable_the_server_knows(server: LocalServer) -> None:
    setup = session_setup_for(server.admin_settings)
    with pymysql.connect(**server.admin_settings.pymysql_kwargs()) as conn:
        with conn.cursor() as cursor:
            cursor.execute("SELECT VERSION()")
            (version,) = cursor.fetchone()
    mariadb_before_11_1 = "MariaDB" in version and tuple(
        int(part) for part in version.split("-")[0].split(".")[:2]
    ) < (11, 1)
    assert setup.isolation_variable == (
        "tx_isolation" if mariadb_before_11_1 else "transaction_isolation"
    ), version


def test_the_init_command_sets_every_field_and_one_select_reads_them(
    server: LocalServer,
) -> None:
    setup = session_setup_for(server.admin_settings)
    settings = server.settings.with_session(setup)
    with pymysql.connect(**settings.pymysql_kwargs()) as conn:
        assert read_back(conn, setup) == expected(setup)
    # A session that skipped the setup reads otherwise in every field the setup changes.
    with pymysql.connect(**server.settings.pymysql_kwargs()) as conn:
        fresh = read_back(conn, setup)
    changed = {name for name in SESSION_FIELDS if fresh[name] != expected(setup)[name]}
    assert changed == {
        "isolation",
        "sql_mode",
        "time_zone",
        "collation_connection",
        "init_command_variable",
        "holds_named_lock",
    }, fresh


def test_a_reconnect_through_the_driver_sets_the_session_up_again(server: LocalServer) -> None:
    setup = session_setup_for(server.admin_settings)
    settings: ConnectionSettings = server.settings.with_session(setup)
    with pymysql.connect(**settings.pymysql_kwargs()) as conn:
        old = conn.thread_id()
        with pymysql.connect(**server.admin_settings.pymysql_kwargs()) as admin:
            admin.query(f"KILL CONNECTION {old}")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            conn.ping(reconnect=True)
        assert conn.thread_id() != old
        assert read_back(conn, setup) == expected(setup)


def test_a_read_returns_its_balances_and_the_session_it_read_them_in(
    server: LocalServer,
) -> None:
    setup = session_setup_for(server.admin_settings)
    settings = server.settings.with_session(setup)
    with pymysql.connect(**settings.pymysql_kwargs()) as conn:
        balances = read_unit("w0-1", setup).body(conn)
        plain = read_unit("w0-2").body(conn)
    # A strategy may hand the body a dict-cursor connection: the reading is the same.
    with pymysql.connect(**settings.pymysql_kwargs(cursorclass=DictCursor)) as conn:
        dict_rows = read_unit("w0-3", setup).body(conn)
    assert balances == plain == {1: 1000, 2: 1000}
    assert balances.session == expected(setup) and plain.session is None
    assert dict_rows.session == expected(setup)


def test_a_read_of_a_strategy_that_keeps_session_objects_says_whether_they_are_there(
    server: LocalServer,
) -> None:
    setup = session_setup_for(server.admin_settings)
    settings = server.settings.with_session(setup)
    with pymysql.connect(**settings.pymysql_kwargs()) as conn:
        before = read_unit("w0-1", setup, objects=True).body(conn).session
        with conn.cursor() as cursor:
            for statement in setup.object_setup():
                cursor.execute(statement)
        after = read_unit("w0-2", setup, objects=True).body(conn).session
    assert before is not None and after is not None
    assert {k: before[k] for k in OBJECTS} == {
        "temporary_table": "absent",
        "prepared_statement": "absent",
    }
    assert {k: after[k] for k in OBJECTS} == {
        "temporary_table": "present",
        "prepared_statement": "present",
    }
    assert {k: v for k, v in after.items() if k not in OBJECTS} == expected(setup)


def test_the_async_read_probes_the_session_objects_alike(server: LocalServer) -> None:
    aiomysql = pytest.importorskip("aiomysql", reason="the async extra is not installed")
    setup = session_setup_for(server.admin_settings)
    settings = server.settings.with_session(setup)

    async def reads() -> tuple[dict, dict]:
        s = settings
        conn = await aiomysql.connect(
            host=s.host,
            port=s.port,
            user=s.user,
            password=s.password,
            db=s.database,
            init_command=s.init_command(),
        )
        try:
            before = (await async_read_unit("w0-1", setup, objects=True).body(conn)).session
            async with conn.cursor() as cursor:
                for statement in setup.object_setup():
                    await cursor.execute(statement)
            after = (await async_read_unit("w0-2", setup, objects=True).body(conn)).session
        finally:
            conn.close()
        return before, after

    before, after = asyncio.run(reads())
    assert [before[k] for k in OBJECTS] == ["absent", "absent"]
    assert [after[k] for k in OBJECTS] == ["present", "present"]
