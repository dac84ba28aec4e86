"""``guard_sessions``: SQLAlchemy's pool on mysql-connector sees every disconnect the taxonomy
knows at its pre-ping, and refuses a session it did not make, against the suite's real server."""

from __future__ import annotations

import contextlib

import pytest
from apps_testkit import AdminSession

from chaos.drivers import DriverMissingError, driver
from chaos.settings import ConnectionSettings

sqlalchemy = pytest.importorskip("sqlalchemy")

from mysql_chaos_apps.sqlalchemy_sessions import guard_sessions  # noqa: E402

# Before anything loads google-re2 (see apps/strategies/driver_variants.py).
with contextlib.suppress(ImportError):
    import _mysql_connector  # noqa: F401


def _engine(settings: ConnectionSettings, name: str, guarded: bool) -> sqlalchemy.Engine:
    under = driver(name)
    try:
        under.load()
    except DriverMissingError as e:
        pytest.skip(str(e))
    url_keys = {"host", "port", "user", "password", "database"}
    args = {k: v for k, v in under.connect_kwargs(settings).items() if k not in url_keys}
    engine = sqlalchemy.create_engine(
        settings.url(under.sqlalchemy_scheme), pool_pre_ping=True, pool_size=1, connect_args=args
    )
    if guarded:
        guard_sessions(engine, under.thread_id)
    return engine


def _session(engine: sqlalchemy.Engine) -> int:
    conn = engine.raw_connection()
    try:
        return int(conn.driver_connection.connection_id)
    finally:
        conn.close()


@pytest.mark.parametrize("name", ["connector-pure", "connector-c"])
def test_a_killed_pooled_connection_is_replaced_at_checkout(settings, admin: AdminSession, name):
    engine = _engine(settings, name, guarded=True)
    try:
        first = _session(engine)
        admin.query(f"KILL CONNECTION {first}")
        assert _session(engine) != first
    finally:
        engine.dispose()


@pytest.mark.parametrize("guarded", [True, False])
def test_a_session_replaced_behind_the_pool_is_refused_at_checkout(settings, guarded):
    engine = _engine(settings, "connector-c", guarded=guarded)
    try:
        conn = engine.raw_connection()
        first = int(conn.driver_connection.connection_id)
        # What the C extension does by itself after keepalive killed the socket.
        conn.driver_connection.reconnect()
        replaced = int(conn.driver_connection.connection_id)
        conn.close()
        assert replaced != first
        now = _session(engine)
        if guarded:
            assert now not in (first, replaced)  # the pool made a connection of its own
        else:
            assert now == replaced  # the pre-ping passes on a session the pool never set up
    finally:
        engine.dispose()
