"""The ``mysql_chaos_soak`` fixture in a user's suite (pytester, real servers, real proxy): the
seed comes from ``--mysql-chaos-seed``, the safe strategy passes, the seed's naive connection
fails with the schedule shrunk and the lines that replay it."""

from __future__ import annotations

import pytest

from chaos.soak import generate_schedule, soak_fault_names
from tests.netns.support import requires_net_admin

INNER = """
def test_safe_survives_a_soak(mysql_chaos_soak):
    outcome = mysql_chaos_soak.check("safe", faults=2)
    assert not outcome.failed


def test_naive_global_is_caught(mysql_chaos_soak):
    print("seed", mysql_chaos_soak.seed)
    mysql_chaos_soak.check("naive-global", faults=3, shrink_attempts=1)


def test_safe_survives_a_chance_per_statement(mysql_chaos_soak):
    outcome = mysql_chaos_soak.check("safe", faults=1, pool=["kill-connection"],
                                     statement_chance=0.3)
    assert outcome.first.schedule.spec().startswith("chance:0.3:")
    assert outcome.first.result.strike.count > 0
"""


def test_a_soak_replays_by_seed_and_fails_a_broken_strategy(pytester) -> None:
    pytester.makepyfile(INNER)
    result = pytester.runpytest_subprocess("--mysql-chaos-seed", "42", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=1)
    # The seed alone picks the schedule from the catalogue's soak faults.
    drawn = generate_schedule(42, soak_fault_names(), 3).spec()
    result.stdout.fnmatch_lines(
        [
            f"*soak with seed 42: * under {drawn}",
            "*replay: pytest --mysql-chaos-seed 42",
            "*smallest failing schedule*",
            "*replay it: mysql-chaos soak naive-global --schedule *",
        ]
    )


def test_a_bad_seed_is_one_usage_line(pytester) -> None:
    pytester.makepyfile("def test_x(mysql_chaos_soak): pass")
    result = pytester.runpytest_subprocess("--mysql-chaos-seed", "banana")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.errlines if line.strip()]
    assert errors == ["ERROR: seed must be a non-negative integer, got 'banana'"]


def test_the_seed_option_is_in_the_plugins_group(pytester) -> None:
    result = pytester.runpytest("--help")
    text = result.stdout.str()
    group = text[text.index("mysql-chaos: fault injection for MySQL clients") :]
    assert "--mysql-chaos-seed=N" in group.split("\n\n")[0]


KERNEL_INNER = """
def test_safe_survives_a_kernel_soak(mysql_chaos_soak):
    outcome = mysql_chaos_soak.check("safe", faults=2, kernel=True)
    names = [entry.fault for entry in outcome.first.schedule.faults]
    assert any(name in ("middlebox-reset", "syn-refused") for name in names), names
    assert not any(name in ("reset-peer", "outage", "deadlock") for name in names), names
"""


@requires_net_admin
def test_kernel_draws_from_the_kernel_faults_world(pytester) -> None:
    pytester.makepyfile(KERNEL_INNER)
    # Seed 0 draws a kernel fault with two faults (pinned by the inner test's first assert).
    result = pytester.runpytest_subprocess("--mysql-chaos-seed", "0", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
