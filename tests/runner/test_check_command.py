"""`mysql-chaos check`: the CI gate for a user's own strategy, run as a user runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CLI = [str(Path(sys.executable).with_name("mysql-chaos"))]


def _check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, "check", *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_check_passes_the_safe_strategy_and_exits_zero() -> None:
    result = _check(
        "mysql_chaos_apps.strategies.safe:SafeStrategy",
        "--fault",
        "kill-connection",
        "--fault",
        "ambiguous-commit",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "every invariant held under every fault" in result.stdout


def test_check_fails_the_naive_strategy_naming_fault_violation_and_op_ids() -> None:
    result = _check(
        "mysql_chaos_apps.strategies.naive_global:NaiveGlobalStrategy", "--fault", "kill-connection"
    )
    assert result.returncode == 1
    assert "kill-connection: not-recovered [w" in result.stdout


def test_check_with_an_unimportable_factory_is_one_line_and_exit_two() -> None:
    result = _check("no_such_module:factory")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "no_such_module" in result.stderr and "Traceback" not in result.stderr


def test_check_with_an_unknown_fault_lists_the_valid_names() -> None:
    result = _check("mysql_chaos_apps.strategies.safe:SafeStrategy", "--fault", "nope")
    assert result.returncode == 2
    assert "unknown fault 'nope'" in result.stderr and "idle-timeout" in result.stderr
