"""``pytest --mysql-chaos-matrix`` holds a user's strategies as ``mysql-chaos matrix`` does: an
installed package's and a ``module:factory`` from the rootdir (under plain ``pytest``) to every
invariant, unless the user's own expectations file (ini ``mysql_chaos_expected``) records them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from installed_package import GOOD, NAIVE, install_package

PYTEST = str(Path(sys.executable).with_name("pytest"))

USER_MODULE = """
from mysql_chaos_apps.strategies import BUNDLED


def make(config):
    return BUNDLED["safe"](config)
"""


def test_plain_pytest_judges_your_strategies_by_every_invariant_or_your_file(tmp_path: Path):
    env = install_package(tmp_path / "site")
    project = tmp_path / "project"
    project.mkdir()
    (project / "user_mod.py").write_text(USER_MODULE)
    (project / "pytest.ini").write_text(
        "[pytest]\nmysql_chaos_expected = resilience/expected.toml\n"
    )
    (project / "resilience").mkdir()
    (project / "resilience" / "expected.toml").write_text(
        f'[{NAIVE}]\nkill-connection = {{ violations = ["lost-in-fault", "not-recovered"], '
        'why = "one connection, never replaced" }\n'
    )
    strategies = (GOOD, NAIVE, "user_mod:make")
    result = subprocess.run(
        [
            PYTEST, "-p", "no:cacheprovider", "--mysql-chaos-matrix",
            *(f"--mysql-chaos-strategy={name}" for name in strategies),
            "--mysql-chaos-fault=kill-connection", "--mysql-chaos-fault=reset-peer",
        ],
        cwd=project, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == pytest.ExitCode.TESTS_FAILED, output
    assert "1 failed, 5 passed" in output
    assert f"FAILED mysql-chaos-matrix::{NAIVE}::reset-peer" in output
    assert f"{NAIVE} x reset-peer: measured norec, expected every invariant" in output
    assert "not-recovered: w" in output  # the violation, with the operations that prove it


@pytest.mark.parametrize(
    ("args", "ini", "said"),
    [
        (["--mysql-chaos-expected=missing.toml"], None, "missing.toml: no such expectations file"),
        ([], "[oops", "mysql_chaos_expected *e.toml: not valid TOML*"),
        ([], "[safe]\nno-such = {}\n", "*safe x no-such: unknown fault 'no-such'"),
    ],
    ids=["missing-file", "malformed-ini-file", "unknown-fault"],
)
def test_a_bad_expectations_file_is_a_usage_error(pytester, args, ini, said) -> None:
    if ini is not None:
        (pytester.path / "e.toml").write_text(ini)
        pytester.makeini("[pytest]\nmysql_chaos_expected = e.toml\n")
    result = pytester.runpytest_subprocess("--mysql-chaos-matrix", "--collect-only", *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: *{said}"])
    assert "Traceback" not in result.stderr.str()


def test_expected_without_the_matrix_is_a_usage_error(pytester) -> None:
    result = pytester.runpytest_subprocess("--mysql-chaos-expected=e.toml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: *--mysql-chaos-expected go with --mysql-chaos-matrix"])
