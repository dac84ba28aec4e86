"""The ``mysql_chaos_fault`` fixture in a user's suite (pytester, real servers, real proxy).

Each inner test is what a user writes: their own client, warmed up, the fault injected and
healed around it, the client asked to recover. A client that reconnects passes; the seed's
naive connection is caught.
"""

from __future__ import annotations

import pytest

from chaos.faults import FAULTS
from chaos.netns import net_admin_missing_reason

NEEDS_NET_ADMIN = pytest.mark.skipif(
    net_admin_missing_reason() is not None, reason=str(net_admin_missing_reason())
)

CLIENTS = '''
import contextlib

import pymysql
import pytest


class Reconnecting:
    """Reconnects once when a query finds its connection lost."""

    def __init__(self, fault):
        self.kwargs, self.conn = fault.pymysql_kwargs(read_timeout=2), None

    def query(self, sql):
        for attempt in (1, 2):
            try:
                self.conn = self.conn or pymysql.connect(**self.kwargs)
                with self.conn.cursor() as cursor:
                    cursor.execute(sql)
                    return cursor.fetchall()
            except pymysql.OperationalError:
                self.conn = None
                if attempt == 2:
                    raise


class Naive:
    """The seed's global connection: opened once, never checked."""

    def __init__(self, fault):
        self.conn = pymysql.connect(**fault.pymysql_kwargs(read_timeout=2))

    def query(self, sql):
        with self.conn.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()


def survives(client, fault):
    assert client.query("SELECT 1") == ((1,),)
    with fault, contextlib.suppress(pymysql.Error):
        client.query("SELECT 1")
    assert client.query("SELECT 1") == ((1,),)
'''


def test_the_fault_fixture_is_parametrized_over_the_whole_catalogue(pytester):
    pytester.makepyfile("def test_x(mysql_chaos_fault): pass")
    result = pytester.runpytest("--collect-only", "-q", "-p", "no:cacheprovider")
    ids = [line for line in result.outlines if "::" in line]
    assert ids == [
        f"test_the_fault_fixture_is_parametrized_over_the_whole_catalogue.py::test_x[{name}]"
        for name in FAULTS.names()
    ]


def test_the_marker_chooses_the_faults_and_the_option_narrows_them(pytester):
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.mysql_chaos(faults=["outage", "kill-connection", "deadlock"])
        def test_x(mysql_chaos_fault): pass
        """
    )
    result = pytester.runpytest("--collect-only", "-q", "-p", "no:cacheprovider")
    assert [line.rsplit("[")[-1] for line in result.outlines if "::" in line] == [
        "outage]",
        "kill-connection]",
        "deadlock]",
    ]
    narrowed = pytester.runpytest(
        "--collect-only", "-q", "-p", "no:cacheprovider", "--mysql-chaos-fault", "deadlock"
    )
    assert [line for line in narrowed.outlines if "::" in line] == [
        "test_the_marker_chooses_the_faults_and_the_option_narrows_them.py::test_x[deadlock]"
    ]


def test_an_unknown_fault_on_the_command_line_is_one_usage_line(pytester):
    pytester.makepyfile("def test_x(mysql_chaos_fault): pass")
    result = pytester.runpytest_subprocess("--mysql-chaos-fault", "no-such-fault")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.errlines if line.strip()]
    assert len(errors) == 1 and errors[0].startswith("ERROR: unknown fault 'no-such-fault'")


def test_an_unknown_fault_in_the_marker_is_a_collection_error_naming_it(pytester):
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.mysql_chaos(faults=["no-such-fault"])
        def test_x(mysql_chaos_fault): pass
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.INTERRUPTED  # collection errors stop the run
    result.stdout.fnmatch_lines(["*test_x: unknown fault 'no-such-fault'; valid names: *"])


def test_a_reconnecting_client_recovers_and_the_naive_one_is_caught(pytester):
    faults = ["kill-connection", "server-restart", "reset-peer", "outage", "idle-timeout"]
    pytester.makeconftest(CLIENTS)
    pytester.makepyfile(
        f"""
        import pytest
        from conftest import Naive, Reconnecting, survives

        @pytest.mark.mysql_chaos(faults={faults!r})
        @pytest.mark.parametrize("client", [Reconnecting, Naive])
        def test_client(client, mysql_chaos_fault):
            survives(client(mysql_chaos_fault), mysql_chaos_fault)
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-rA")
    outcomes = {
        line.split("::")[-1].split(" ")[0]: line.split(" ")[0]
        for line in result.outlines
        if line.startswith(("PASSED", "FAILED"))
    }
    assert outcomes == {
        **{f"test_client[{fault}-Reconnecting]": "PASSED" for fault in faults},
        **{f"test_client[{fault}-Naive]": "FAILED" for fault in faults},
    }


@NEEDS_NET_ADMIN
def test_a_kernel_fault_strikes_the_test_body_with_the_seeds_error(pytester):
    pytester.makeconftest(CLIENTS)
    pytester.makepyfile(
        """
        import pymysql
        import pytest
        from conftest import Naive, Reconnecting, survives

        @pytest.mark.mysql_chaos(faults=["middlebox-drop"])
        def test_reconnecting(mysql_chaos_fault):
            survives(Reconnecting(mysql_chaos_fault), mysql_chaos_fault)

        @pytest.mark.mysql_chaos(faults=["middlebox-drop"])
        def test_naive(mysql_chaos_fault):
            client = Naive(mysql_chaos_fault)
            client.query("SELECT 1")
            with mysql_chaos_fault:
                pass
            with pytest.raises(pymysql.OperationalError) as lost:
                client.query("SELECT 1")
            assert repr(lost.value) == mysql_chaos_fault.produces
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
    assert "TimeoutError(110" in FAULTS.get("middlebox-drop").produces


@NEEDS_NET_ADMIN
def test_a_client_outside_the_namespace_gets_2003_with_the_reason_in_the_report(pytester):
    pytester.makepyfile(
        """
        import queue
        import threading

        import pymysql
        import pytest

        @pytest.fixture(scope="session")
        def app_thread():
            # Started before any fault: a session-scoped app server's thread, say.
            orders, answers = queue.Queue(), queue.Queue()

            def serve():
                while (kwargs := orders.get()) is not None:
                    try:
                        answers.put(pymysql.connect(**kwargs))
                    except pymysql.Error as e:
                        answers.put(e)

            thread = threading.Thread(target=serve)
            thread.start()
            yield lambda kwargs: (orders.put(kwargs), answers.get())[1]
            orders.put(None)
            thread.join()

        @pytest.mark.mysql_chaos(faults=["middlebox-drop"])
        def test_from_the_app_thread(app_thread, mysql_chaos_fault):
            answer = app_thread(mysql_chaos_fault.pymysql_kwargs(connect_timeout=2))
            if isinstance(answer, Exception):
                raise answer
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*OperationalError: (2003*", "*mysql-chaos*", "*middlebox-drop runs its server in a*"]
    )


def test_the_fault_is_healed_at_teardown_when_the_test_fails(pytester):
    pytester.makepyfile(
        """
        import pytest

        struck = []

        @pytest.mark.mysql_chaos(faults=["outage", "server-freeze"])
        def test_fails_while_injected(mysql_chaos_fault):
            mysql_chaos_fault.inject()
            struck.append(mysql_chaos_fault.fault)
            assert False, "the test failed with the fault injected"

        def test_afterwards():
            assert [fault.name for fault in struck] == ["outage", "server-freeze"]
            assert [fault.injected for fault in struck] == [False, False]  # heal succeeded
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=2)


def test_a_fault_that_needs_the_servers_process_skips_with_the_reason_on_an_external_server(
    pytester, external_account_url
):
    pytester.makeconftest(CLIENTS)
    pytester.makepyfile(
        """
        import pytest
        from conftest import Reconnecting, survives

        @pytest.mark.mysql_chaos(faults=["server-restart", "idle-timeout", "kill-connection"])
        def test_client(mysql_chaos_fault):
            survives(Reconnecting(mysql_chaos_fault), mysql_chaos_fault)
        """
    )
    result = pytester.runpytest(
        "-p", "no:cacheprovider", "-rs", "--mysql-chaos-server-url", external_account_url
    )
    result.assert_outcomes(passed=1, skipped=2)
    result.stdout.fnmatch_lines(
        [
            "*server-restart: needs a server whose process the suite owns (not an external*",
            "*idle-timeout: changes GLOBAL server variables, on a server the suite does not own*",
        ]
    )


def test_without_cap_net_admin_a_kernel_fault_skips_with_the_reason(pytester):
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.mysql_chaos(faults=["middlebox-drop"])
        def test_x(mysql_chaos_fault):
            raise AssertionError("must not run")
        """
    )
    if net_admin_missing_reason() is None:
        # Root here: drop the capability for the inner run, as an unprivileged CI runner has.
        pytester.syspathinsert()
        result = pytester.run(
            "setpriv",
            "--bounding-set=-net_admin",
            "--inh-caps=-net_admin",
            "--",
            *pytester._getpytestargs(),
            "-p",
            "no:cacheprovider",
            "-rs",
        )
    else:
        result = pytester.runpytest("-p", "no:cacheprovider", "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["*middlebox-drop: needs CAP_NET_ADMIN*"])


def test_a_fault_that_never_struck_the_client_fails_the_test_with_the_reason(pytester):
    pytester.makepyfile(
        """
        import pymysql
        import pytest

        @pytest.mark.mysql_chaos(faults=["kill-connection"])
        def test_with_no_connection(mysql_chaos_fault):
            with mysql_chaos_fault:
                pass  # nothing of the client's was there to kill

        @pytest.mark.mysql_chaos(faults=["kill-connection"])
        def test_calls_inject_and_heal_itself(mysql_chaos_fault):
            mysql_chaos_fault.inject()
            mysql_chaos_fault.heal()

        @pytest.mark.mysql_chaos(faults=["kill-connection"])
        def test_with_a_connection(mysql_chaos_fault):
            conn = pymysql.connect(**mysql_chaos_fault.pymysql_kwargs())
            with mysql_chaos_fault:
                pass
            assert mysql_chaos_fault.strike.count == 1
            conn.close()
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-rA")
    result.assert_outcomes(passed=2, failed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_calls_inject_and_heal_itself*",
            "*fault kill-connection never struck the code under test: killed 0 client sessions*",
            "*FAILURES*",
            "*FaultNeverStruck: fault kill-connection never struck the code under test: "
            "killed 0 client sessions: struck 0 times",
        ]
    )
