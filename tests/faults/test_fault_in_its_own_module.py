"""A new fault is one module: registered, it is in repro, the matrix and the pytest plugin.

The fault (tests/faults/proxy_bounce_fault.py) is a real one, run against real servers through
the real proxy; nothing outside its module names it. It is registered for each test only, so the
catalogue that other tests see stays the bundled one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from click.testing import CliRunner

from chaos.cli.main import cli
from chaos.faults import FAULTS, Fault

from .proxy_bounce_fault import ProxyBounceFault

SAFE = "mysql_chaos_apps.strategies.safe:SafeStrategy"
NAIVE = "mysql_chaos_apps.strategies.naive_global:NaiveGlobalStrategy"


@pytest.fixture
def proxy_bounce() -> Iterator[type[Fault]]:
    FAULTS.add(ProxyBounceFault.name, ProxyBounceFault)
    try:
        yield ProxyBounceFault
    finally:
        FAULTS.remove(ProxyBounceFault.name)


def test_repro_shows_the_new_fault_giving_exactly_its_stated_exception(proxy_bounce):
    result = CliRunner().invoke(cli, ["repro", "--variant", "proxy-bounce"])
    assert result.exit_code == 0, result.output
    assert f"== proxy-bounce\n   event:     {proxy_bounce.description}\n" in result.output
    assert f"   exception: {proxy_bounce.produces}\n" in result.output


def test_the_matrix_judges_strategies_under_the_new_fault(proxy_bounce, tmp_path):
    report = tmp_path / "matrix.json"
    args = ["matrix", "--strategy", SAFE, "--strategy", NAIVE, "--fault", "proxy-bounce"]
    result = CliRunner().invoke(cli, [*args, "--json", str(report)])
    # Held to every invariant (no expectation recorded): the naive connection is caught.
    assert result.exit_code == 1, result.output
    cells = {cell["strategy"]: cell for cell in json.loads(report.read_text())["cells"]}
    assert cells[SAFE]["verdict"] == "pass"
    assert cells[NAIVE]["verdict"] == "norec"
    inject = cells[NAIVE]["timeline"]["inject_effect"]
    assert inject == {
        "struck": None,
        "count": None,
        "detail": "proxy disabled and enabled again: live links closed",
    }


def test_the_plugin_runs_the_new_fault_chosen_by_the_marker(proxy_bounce, pytester):
    pytester.makepyfile(
        """
        import pymysql
        import pytest

        @pytest.mark.mysql_chaos(faults=["proxy-bounce"])
        def test_a_live_connection_is_closed_and_a_new_one_passes(mysql_chaos_fault):
            conn = pymysql.connect(**mysql_chaos_fault.pymysql_kwargs(read_timeout=2))
            with mysql_chaos_fault:
                with pytest.raises(pymysql.OperationalError) as lost:
                    conn.cursor().execute("SELECT 1")
            assert repr(lost.value) == mysql_chaos_fault.produces
            fresh = pymysql.connect(**mysql_chaos_fault.pymysql_kwargs(read_timeout=2))
            fresh.cursor().execute("SELECT 1")
            fresh.close()
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-v")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*test_a_live_connection_is_closed_and_a_new_one_passes*"])
    assert "[proxy-bounce]" in result.stdout.str()
