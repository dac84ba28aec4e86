"""The plugin's server, Toxiproxy and proxy fixtures, used from an inner suite (pytester)."""

from __future__ import annotations

import pytest


def test_the_session_server_is_disposable_and_reached_as_the_unprivileged_account(pytester):
    pytester.makepyfile(
        """
        import pymysql

        seen = []

        def test_first(mysql_chaos_server):
            seen.append(mysql_chaos_server)
            assert mysql_chaos_server.controls_process
            conn = pymysql.connect(**mysql_chaos_server.settings.pymysql_kwargs())
            with conn.cursor() as cursor:
                cursor.execute("SELECT CURRENT_USER()")
                assert cursor.fetchone()[0].startswith("app@")

        def test_second(mysql_chaos_server):
            assert seen == [mysql_chaos_server]  # one for the session
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_the_proxied_settings_go_through_a_proxy_of_the_tests_own_deleted_afterwards(pytester):
    pytester.makepyfile(
        """
        import pymysql
        import pytest

        names = []

        def test_through_the_proxy(mysql_chaos_proxy, mysql_chaos_proxied_settings):
            names.append(mysql_chaos_proxy.name)
            assert mysql_chaos_proxied_settings.port == mysql_chaos_proxy.listen_port
            conn = pymysql.connect(**mysql_chaos_proxied_settings.pymysql_kwargs())
            with conn.cursor() as cursor:
                cursor.execute("SELECT 1")
            mysql_chaos_proxy.disable()  # the link goes: the client notices
            with pytest.raises(pymysql.OperationalError), conn.cursor() as cursor:
                cursor.execute("SELECT 1")

        def test_afterwards(mysql_chaos_toxiproxy, mysql_chaos_embedded_toxiproxy):
            assert names and names[0] not in mysql_chaos_toxiproxy.proxies()
            assert mysql_chaos_embedded_toxiproxy is not None  # no URL given: the embedded one
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_a_toxiproxy_url_that_does_not_answer_fails_the_test_with_one_line(pytester):
    pytester.makepyfile("def test_x(mysql_chaos_toxiproxy): pass")
    result = pytester.runpytest("-p", "no:cacheprovider", "--toxiproxy-url", "http://127.0.0.1:9")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["E * --toxiproxy-url http://127.0.0.1:9 does not answer:*"])


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--mysql-chaos-server-url", "http://x"], "ERROR: not a MySQL URL*"),
        (["--mysql-chaos-server", "podman"], "ERROR: --mysql-chaos-server 'podman': expected*"),
        (
            ["--mysql-chaos-server", "docker:local", "--mysql-chaos-server-url", "mysql://a@b/c"],
            "ERROR: --mysql-chaos-server docker:IMAGE and --mysql-chaos-server-url exclude*",
        ),
        (["--shard", "0/2"], "ERROR: --shard '0/2': K must be between 1 and N*"),
        (["--shard", "half"], "ERROR: --shard 'half': expected K/N*"),
        (["--mysql-chaos-json", "x.json"], "ERROR: *go with --mysql-chaos-matrix"),
    ],
)
def test_a_bad_option_is_one_line_and_a_usage_error(pytester, option, message):
    result = pytester.runpytest_subprocess(*option)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.errlines if line.strip()]
    assert len(errors) == 1
    result.stderr.fnmatch_lines([message])
