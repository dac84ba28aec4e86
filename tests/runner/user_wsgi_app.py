"""A user's own WSGI apps, written as a user would (plain pymysql, settings from the environment).

The black-box tests copy this file into a directory of their own and run ``mysql-chaos
check-app`` there, as a user runs it in their project.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from typing import Any

import pymysql

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


def _connect(**timeouts: float) -> pymysql.Connection:
    return pymysql.connect(
        host=os.environ["MYSQL_CHAOS_HOST"],
        port=int(os.environ["MYSQL_CHAOS_PORT"]),
        user=os.environ["MYSQL_CHAOS_USER"],
        password=os.environ["MYSQL_CHAOS_PASSWORD"],
        database=os.environ["MYSQL_CHAOS_DATABASE"],
        ssl_disabled=True,
        **timeouts,
    )


def _answer(start_response: StartResponse, ok: bool) -> Iterable[bytes]:
    status = "200 OK" if ok else "503 Service Unavailable"
    start_response(status, [("Content-Type", "text/plain")])
    return [status.encode()]


_shared: pymysql.Connection | None = None
_lock = threading.Lock()


def naive_app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    """One connection, made on first use and never replaced (the seed's mistake)."""
    global _shared
    with _lock:
        try:
            if _shared is None:
                _shared = _connect()
            with _shared.cursor() as cursor:
                cursor.execute("SELECT 1")
            return _answer(start_response, True)
        except pymysql.MySQLError:
            return _answer(start_response, False)


def fresh_app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    """A new connection per request, with timeouts."""
    try:
        conn = _connect(connect_timeout=1, read_timeout=1, write_timeout=1)
        try:
            with conn.cursor() as cursor:
                cursor.execute("SELECT 1")
        finally:
            conn.close()
        return _answer(start_response, True)
    except pymysql.MySQLError:
        return _answer(start_response, False)


def consistent(settings: Any) -> bool:
    """A database check that connects with the settings it is given and finds the server."""
    conn = pymysql.connect(**settings.pymysql_kwargs(connect_timeout=2))
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    finally:
        conn.close()


def inconsistent(settings: Any) -> bool:
    """A database check that always finds a problem."""
    return False
