"""``--mysql-chaos-server docker:IMAGE``: the pytest plugin's servers and faults on containers."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.docker

USER_SUITE = """
import contextlib

import pymysql
import pytest


def query(kwargs, sql):
    conn = pymysql.connect(**kwargs)
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()
    finally:
        conn.close()


def test_the_session_server_is_a_container(mysql_chaos_server):
    # A container keeps its datadir inside its image; a local server's is in /dev/shm.
    assert mysql_chaos_server.query("SELECT @@datadir") == [("/var/lib/mysql-chaos/",)]


@pytest.mark.mysql_chaos(faults=["server-restart", "server-crash", "middlebox-drop"])
def test_a_fresh_connection_works_after_the_fault(mysql_chaos_fault):
    kwargs = mysql_chaos_fault.pymysql_kwargs(read_timeout=2)
    assert query(kwargs, "SELECT @@datadir") == (("/var/lib/mysql-chaos/",),)
    conn = pymysql.connect(**kwargs)
    with mysql_chaos_fault, contextlib.suppress(pymysql.Error):
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1")
    assert query(kwargs, "SELECT 1") == ((1,),)
"""


def test_the_plugin_runs_servers_and_faults_in_containers(pytester, server_image):
    pytester.makepyfile(USER_SUITE)
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-v", "--mysql-chaos-server", "docker:local"
    )
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(
        ["*test_a_fresh_connection_works_after_the_fault?middlebox-drop?*PASSED*"]
    )
