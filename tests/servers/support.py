"""Helpers for the server tests: bounded polling and what /proc says about a process."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable

import pymysql
import pytest


def poll_until(condition: Callable[[], bool], timeout: float = 10.0, what: str = "") -> None:
    """Wait until ``condition()`` holds. The bound only keeps a failing test from hanging."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout} s: {what or condition}")
        time.sleep(0.01)


def process_state(pid: int) -> str | None:
    """The state letter from /proc/<pid>/stat (R, S, T, Z, ...), ``None`` when there is none."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return None


def process_gone(pid: int) -> bool:
    """True when ``pid`` no longer runs (absent, or a zombie whose exit nobody reaped yet)."""
    return process_state(pid) in (None, "Z")


def process_cmdline(pid: int) -> list[str]:
    with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
        return [arg.decode() for arg in cmdline.read().split(b"\0") if arg]


def scalar(conn: pymysql.Connection, sql: str, args: object = None) -> object:
    """The first column of the first row."""
    with conn.cursor() as cursor:
        cursor.execute(sql, args)
        return cursor.fetchone()[0]


def rows(conn: pymysql.Connection, sql: str, args: object = None) -> list[tuple[object, ...]]:
    with conn.cursor() as cursor:
        cursor.execute(sql, args)
        return list(cursor.fetchall())


def execute(conn: pymysql.Connection, sql: str, args: object = None) -> int:
    """Run a statement that returns no rows; the affected row count."""
    with conn.cursor() as cursor:
        return cursor.execute(sql, args)


def thread_states(pid: int) -> set[str]:
    """The state letters of every thread of ``pid``."""
    states = set()
    for task in os.listdir(f"/proc/{pid}/task"):
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            with open(f"/proc/{pid}/task/{task}/stat") as stat:
                states.add(stat.read().rsplit(")", 1)[1].split()[0])
    return states
