"""`mysql-chaos check`: the CI gate for a user's own strategy, run as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

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
    assert "kill-connection: norec [w" in result.stdout


def test_check_with_an_unimportable_factory_is_one_line_and_exit_two() -> None:
    result = _check("no_such_module:factory")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "no_such_module" in result.stderr and "Traceback" not in result.stderr


def test_check_with_an_unknown_fault_lists_the_valid_names() -> None:
    result = _check("mysql_chaos_apps.strategies.safe:SafeStrategy", "--fault", "nope")
    assert result.returncode == 2
    assert "unknown fault 'nope'" in result.stderr and "idle-timeout" in result.stderr


# A user's module in the directory they run from (not installed, no PYTHONPATH). The factory
# refuses to build without the setting only --option gives it.
USER_MODULE = """
from mysql_chaos_apps.strategies.safe import SafeStrategy


def make_strategy(config):
    if config.extra.get("pool_size") != 16:
        raise ValueError(f"pool_size must be 16, got {config.extra.get('pool_size')!r}")
    return SafeStrategy(config)
"""


def _in_user_directory(
    tmp_path: Path, command: str, *args: str
) -> subprocess.CompletedProcess[str]:
    (tmp_path / "mchaos_user_db.py").write_text(USER_MODULE)
    return subprocess.run(
        [*CLI, command, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )


def test_check_imports_from_the_current_directory_and_passes_options(tmp_path: Path) -> None:
    reports = {kind: tmp_path / f"report.{kind}" for kind in ("json", "junit", "markdown", "html")}
    result = _in_user_directory(
        tmp_path,
        "check",
        "mchaos_user_db:make_strategy",
        "--option",
        "pool_size=16",
        "--fault",
        "kill-connection",
        *(arg for kind, path in reports.items() for arg in (f"--{kind}", str(path))),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(reports["json"].read_text())["cells"][0]["fault"] == "kill-connection"
    assert json.loads(reports["json"].read_text())["exit_code"] == result.returncode  # one gate
    junit = ElementTree.fromstring(reports["junit"].read_text())
    case = junit.find(".//testcase")
    assert (case.get("classname"), case.get("name")) == (
        "mchaos_user_db:make_strategy",
        "kill-connection",
    )
    assert "| mchaos_user_db:make_strategy | pass " in reports["markdown"].read_text()
    assert "kill-connection" in reports["html"].read_text()


def test_a_factory_that_raises_fails_before_any_cell_in_one_line(tmp_path: Path) -> None:
    result = _in_user_directory(tmp_path, "check", "mchaos_user_db:make_strategy")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "mysql-chaos: strategy factory make_strategy failed: "
        "ValueError: pool_size must be 16, got None"
    )
    assert "[  1/" not in result.stdout  # no cell started


def test_a_malformed_option_is_one_line_and_exit_two(tmp_path: Path) -> None:
    result = _in_user_directory(
        tmp_path, "check", "mchaos_user_db:make_strategy", "--option", "pool_size"
    )
    assert result.returncode == 2
    assert "--option must look like key=value, got 'pool_size'" in result.stderr


def test_matrix_runs_a_user_strategy_beside_a_bundled_one(tmp_path: Path) -> None:
    result = _in_user_directory(
        tmp_path,
        "matrix",
        "--strategy",
        "naive-global",
        "--strategy",
        "mchaos_user_db:make_strategy",
        "--option",
        "pool_size=16",
        "--fault",
        "kill-connection",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    rows = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines() if line}
    assert rows["naive-global"] == ["flost+norec"]
    assert rows["mchaos_user_db:make_strategy"] == ["pass"]
