"""Small SQL helpers for the docker tests (this folder is not a package: see conftest.py)."""

from __future__ import annotations

import pymysql


def scalar(conn: pymysql.Connection, sql: str, args: object = None) -> object:
    with conn.cursor() as cursor:
        cursor.execute(sql, args)
        return cursor.fetchone()[0]


def rows(conn: pymysql.Connection, sql: str, args: object = None) -> list[tuple[object, ...]]:
    with conn.cursor() as cursor:
        cursor.execute(sql, args)
        return list(cursor.fetchall())


def execute(conn: pymysql.Connection, sql: str, args: object = None) -> int:
    with conn.cursor() as cursor:
        return cursor.execute(sql, args)
