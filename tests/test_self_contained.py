"""The suite owns every server it tests against: no test names the machine's server, and a
skip for lack of a server fails instead (tests/server_guard.py).

``./quickstart test`` also runs the suite in a loopback-only network namespace where it can, so a
test that still reaches for a server outside the suite fails to connect (see README, Tests).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from server_guard import is_missing_server_reason

TESTS = Path(__file__).resolve().parent
#: Spelled in pieces so that this file does not name them itself.
MACHINE_SERVER = re.compile(r"\b(127\.0\.0\.1|localhost):" + "3306" + r"\b")
OLD_VARIABLES = re.compile(r"MYSQL_CHAOS_TEST_" + "(URL|DSN)")
#: Files that spell the address as data and never connect to it, and why.
SPELLS_IT_AS_DATA = {
    "test_settings.py": "ConnectionSettings' defaults and URL parsing; it opens no connection",
}


def machine_server_mentions(text: str) -> list[str]:
    return [m.group(0) for m in (*MACHINE_SERVER.finditer(text), *OLD_VARIABLES.finditer(text))]


def test_the_scan_finds_every_way_the_machines_server_was_named():
    old_ways = [
        'os.environ.get("MYSQL_CHAOS_TEST_' + 'URL", "mysql://root@127.0.0.1:' + '3306/test")',
        'SERVER_URL = os.environ.get("MYSQL_CHAOS_TEST_' + 'DSN")',
        '"upstream": "localhost:' + '3306"',
    ]
    assert [len(machine_server_mentions(text)) for text in old_ways] == [2, 1, 1]
    assert machine_server_mentions("mysql://app@127.0.0.1:33061/x port=3306") == []


def test_no_test_source_names_the_machines_server_or_its_old_variables():
    found = {
        str(path.relative_to(TESTS)): mentions
        for path in sorted(TESTS.rglob("*.py"))
        if str(path.relative_to(TESTS)) not in SPELLS_IT_AS_DATA
        and (mentions := machine_server_mentions(path.read_text()))
    }
    assert found == {}


@pytest.mark.parametrize(
    ("reason", "missing"),
    [
        ("no MariaDB at 127.0.0.1:" + '3306: (2003, "Can\'t connect")', True),
        ("no MySQL/MariaDB server at mysql://root@127.0.0.1/test: refused", True),
        ("the machine's MariaDB is not reachable: cannot connect", True),
        ("needs setpriv (util-linux)", False),
        ("checks the embedded server (TOXIPROXY_URL points at another one)", False),
        ("needs CAP_NET_ADMIN (run as root): Operation not permitted", False),
    ],
)
def test_a_skip_reason_counts_as_missing_server_only_when_it_says_so(reason, missing):
    assert is_missing_server_reason(reason) is missing


def test_a_test_skipped_for_lack_of_a_server_fails_the_run(pytester):
    pytester.makeconftest((TESTS / "conftest.py").read_text())
    pytester.makepyfile(server_guard=(TESTS / "server_guard.py").read_text())
    pytester.makepyfile(
        test_guarded="""
        import pytest

        def test_without_a_server():
            pytest.skip("no MariaDB at 192.0.2.1:1: refused")

        def test_without_a_tool():
            pytest.skip("needs setpriv (util-linux)")
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1, skipped=1)
    result.stdout.fnmatch_lines(["*skipped for lack of a server (no MariaDB at 192.0.2.1:1*"])
    assert result.ret == pytest.ExitCode.TESTS_FAILED
