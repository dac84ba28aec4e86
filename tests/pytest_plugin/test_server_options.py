"""Extra mysqld options for the plugin's servers: the ini option and the marker argument."""

from __future__ import annotations

INI = "[pytest]\nmysql_chaos_server_options = --max-connections=57 --sql-mode=ANSI\n"


def test_ini_options_reach_every_server_and_the_marker_adds_to_its_tests_own(pytester):
    pytester.makeini(INI)
    pytester.makepyfile(
        """
        import pymysql
        import pytest

        def variables(settings, *names):
            conn = pymysql.connect(**settings.pymysql_kwargs())
            with conn.cursor() as cursor:
                cursor.execute("SELECT " + ", ".join("@@" + name for name in names))
                return cursor.fetchone()

        def test_session_server(mysql_chaos_server):
            max_connections, sql_mode = variables(mysql_chaos_server.settings,
                                                  "max_connections", "sql_mode")
            assert max_connections == 57 and "ANSI" in sql_mode

        @pytest.mark.mysql_chaos(faults=["kill-connection"],
                                 server_options=["--innodb-lock-wait-timeout=7"])
        def test_marked(mysql_chaos_fault):
            assert variables(mysql_chaos_fault.admin_settings, "max_connections",
                             "innodb_lock_wait_timeout") == (57, 7)

        @pytest.mark.mysql_chaos(faults=["kill-connection"])
        def test_unmarked(mysql_chaos_fault):
            assert variables(mysql_chaos_fault.admin_settings, "max_connections",
                             "innodb_lock_wait_timeout") == (57, 50)
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=3)


def _usage_error(pytester, ini_options: str, *args: str) -> str:
    pytester.makeini(f"[pytest]\nmysql_chaos_server_options = {ini_options}\n")
    pytester.makepyfile("def test_x(mysql_chaos_server): pass")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", *args)
    assert result.ret == 4  # pytest's usage error: before any test, any server
    errors = [line for line in result.stderr.lines if line.strip()]
    assert len(errors) == 1, result.stderr.lines
    return errors[0]


def test_an_option_that_would_open_the_server_is_refused_in_one_line(pytester):
    # --skip-grant is how mariadbd reads --skip-grant-tables: the server's own reading counts.
    line = _usage_error(pytester, "--max-connections=50 --skip-grant")
    assert line == (
        "ERROR: mysql_chaos_server_options: --skip-grant refused: it changes skip-grant-tables,"
        " which keeps the server private to its owner and its files in the suite's directory"
    )


def test_an_option_the_server_refuses_is_one_line_naming_it(pytester):
    line = _usage_error(pytester, "--no-such-option=1")
    assert line.startswith(
        "ERROR: mysql_chaos_server_options: the server refuses --no-such-option=1:"
    )
    assert "unknown variable 'no-such-option=1'" in line


def test_ini_options_with_a_server_url_are_refused(pytester, external_account_url):
    line = _usage_error(
        pytester, "--max-connections=50", "--mysql-chaos-server-url", external_account_url
    )
    assert line == (
        "ERROR: mysql_chaos_server_options applies to disposable local servers, "
        "not to --mysql-chaos-server-url"
    )


def test_a_refused_marker_option_fails_that_test_in_one_line(pytester):
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.mysql_chaos(faults=["kill-connection"], server_options=["--port=3306"])
        def test_bad(mysql_chaos_fault):
            pass

        @pytest.mark.mysql_chaos(faults=["kill-connection"])
        def test_good(mysql_chaos_fault):
            pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "test_a_refused_marker_option_fails_that_test_in_one_line.py::test_bad: "
            "server_options: --port=3306 refused: it changes port, *"
        ]
    )
