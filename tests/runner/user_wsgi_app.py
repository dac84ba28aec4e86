"""A user's own WSGI apps, written as a user would (plain pymysql, settings from the environment).

The black-box tests copy this file into a directory of their own and run ``mysql-chaos
check-app`` there, as a user runs it in their project.
"""

from __future__ import annotations

import contextlib
import json
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


# -- an app with a write path: POST /orders takes one unit of stock for a new order ----------

STOCK = 1_000_000
_schema_ready = False


def _ensure_schema() -> None:
    """Made on the first request (a warm-up one), never while a fault is on."""
    global _schema_ready
    with _lock:
        if _schema_ready:
            return
        conn = _connect(connect_timeout=2)
        try:
            with conn.cursor() as cursor:
                cursor.execute(
                    "CREATE TABLE IF NOT EXISTS orders (op_id VARCHAR(64) PRIMARY KEY, sku INT)"
                )
                cursor.execute("CREATE TABLE IF NOT EXISTS stock (id INT PRIMARY KEY, n BIGINT)")
                cursor.execute("INSERT IGNORE INTO stock VALUES (1, %s)", (STOCK,))
            conn.commit()
        finally:
            conn.close()
        _schema_ready = True


def _order(environ: dict[str, Any]) -> tuple[str, int]:
    size = int(environ.get("CONTENT_LENGTH") or 0)
    order = json.loads(environ["wsgi.input"].read(size))
    return str(order["op"]), int(order["sku"])


def _orders_app(in_transaction: bool, swallow: bool) -> Callable[..., Iterable[bytes]]:
    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        _ensure_schema()
        if environ["REQUEST_METHOD"] != "POST":
            return fresh_app(environ, start_response)
        op_id, sku = _order(environ)
        try:
            conn = _connect(connect_timeout=1, read_timeout=1, write_timeout=1)
        except pymysql.MySQLError:
            return _answer(start_response, False)
        try:
            conn.autocommit(not in_transaction)
            with conn.cursor() as cursor:
                cursor.execute("INSERT INTO orders VALUES (%s, %s)", (op_id, sku))
                cursor.execute("UPDATE stock SET n = n - 1 WHERE id = 1")
            if in_transaction:
                conn.commit()
            return _answer(start_response, True)
        except pymysql.MySQLError:
            with contextlib.suppress(pymysql.MySQLError):
                conn.rollback()
            return _answer(start_response, swallow)  # swallowing: "200 OK" all the same
        finally:
            with contextlib.suppress(pymysql.MySQLError):
                conn.close()

    return app


#: Both statements in one transaction, rolled back and answered 503 on any error.
orders_app = _orders_app(in_transaction=True, swallow=False)
#: Each statement on its own (autocommit), and an error on the way is swallowed: 200 OK.
swallowing_orders_app = _orders_app(in_transaction=False, swallow=True)


def orders_consistent(settings: Any) -> bool:
    """Every order took exactly one unit of stock."""
    conn = pymysql.connect(**settings.pymysql_kwargs(connect_timeout=2))
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT (SELECT COUNT(*) FROM orders) + (SELECT n FROM stock)")
            return int(cursor.fetchone()[0]) == STOCK
    finally:
        conn.close()


def order_load(send: Callable[..., tuple[int, str]], op_id: str) -> None:
    """``check-app --load``: a read, then an order, through the client it is given."""
    send("GET", "/ping")
    body = json.dumps({"sku": 7, "op": op_id})
    send("POST", "/orders", body, {"Content-Type": "application/json"})
