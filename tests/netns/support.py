"""Helpers for the kernel-fault tests: the capability mark and what the host's namespace shows."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from typing import Any, TypeVar

import pymysql
import pytest

from chaos.netns import net_admin_missing_reason
from chaos.netns.capability import tool

F = TypeVar("F", bound=Callable[..., Any])


def requires_net_admin(test: F) -> F:
    """Mark a test ``netadmin``; it skips with the reason where CAP_NET_ADMIN is missing."""
    reason = net_admin_missing_reason()
    skip = pytest.mark.skipif(reason is not None, reason=str(reason))
    return pytest.mark.netadmin(skip(test))


def namespace_names() -> set[str]:
    """``ip netns list``, run from the test's own (main) namespace."""
    out = subprocess.run(
        [tool("ip"), "netns", "list"], capture_output=True, text=True, check=True
    ).stdout
    return {line.split()[0] for line in out.splitlines() if line.strip()}


def main_namespace_nft_tables() -> str:
    """``nft list tables`` in the main namespace, where no test may create one."""
    return subprocess.run(
        [tool("nft"), "list", "tables"], capture_output=True, text=True, check=True
    ).stdout


def poll_until(condition: Callable[[], bool], timeout: float = 10.0, what: str = "") -> None:
    """Wait until ``condition()`` holds. The bound only keeps a failing test from hanging."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout} s: {what or condition}")
        time.sleep(0.02)


def scalar(conn: pymysql.Connection, sql: str) -> object:
    with conn.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]
