"""A skipped cell tested nothing: it fails the gate (exit 3) unless --allow-skip, and is named.

The kernel faults need CAP_NET_ADMIN. As a user without it they are skipped; the CLI runs here
with that capability dropped (``setpriv``), as an unprivileged CI runner would run it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from chaos.verdicts.cell_result import CellResult
from chaos.verdicts.expectations import Expectation, held_to_every_invariant
from chaos.verdicts.gate import ExitCode, judge_matrix

CLI = str(Path(sys.executable).with_name("mysql-chaos"))
NAIVE = "mysql_chaos_apps.strategies.naive_global:NaiveGlobalStrategy"
SETPRIV = shutil.which("setpriv")

without_net_admin = pytest.mark.skipif(SETPRIV is None, reason="needs util-linux setpriv")


def _run_without_net_admin(*args: str) -> subprocess.CompletedProcess[str]:
    assert SETPRIV is not None
    command = [SETPRIV, "--inh-caps=-net_admin", "--bounding-set=-net_admin", CLI, *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


@without_net_admin
def test_check_whose_faults_were_all_skipped_exits_with_the_skip_code_naming_them() -> None:
    result = _run_without_net_admin(
        "check", NAIVE, "--fault", "middlebox-drop", "--fault", "middlebox-reset"
    )
    assert result.returncode == ExitCode.SKIPPED, result.stdout + result.stderr
    assert f"SKIPPED {NAIVE} x middlebox-drop: needs CAP_NET_ADMIN" in result.stdout
    assert f"SKIPPED {NAIVE} x middlebox-reset: needs CAP_NET_ADMIN" in result.stdout
    assert "every invariant held" not in result.stdout


@without_net_admin
def test_the_connect_faults_skip_with_the_reason_and_the_gate_is_not_green() -> None:
    result = _run_without_net_admin("check", NAIVE, "--fault", "syn-drop", "--fault", "syn-refused")
    assert result.returncode == ExitCode.SKIPPED, result.stdout + result.stderr
    assert f"SKIPPED {NAIVE} x syn-drop: needs CAP_NET_ADMIN" in result.stdout
    assert f"SKIPPED {NAIVE} x syn-refused: needs CAP_NET_ADMIN" in result.stdout


@without_net_admin
def test_check_with_allow_skip_exits_zero_and_still_names_the_skipped_faults() -> None:
    result = _run_without_net_admin(
        "check", NAIVE, "--fault", "middlebox-drop", "--fault", "middlebox-reset", "--allow-skip"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SKIPPED {NAIVE} x middlebox-drop" in result.stdout
    assert f"SKIPPED {NAIVE} x middlebox-reset" in result.stdout
    assert "2 skipped (allowed by --allow-skip)" in result.stdout
    assert "every invariant held under every fault" not in result.stdout


@without_net_admin
def test_matrix_with_a_skipped_cell_exits_with_the_skip_code_unless_allowed() -> None:
    args = ("matrix", "--strategy", "naive-global", "--fault", "middlebox-drop")
    refused = _run_without_net_admin(*args)
    assert refused.returncode == ExitCode.SKIPPED, refused.stdout + refused.stderr
    assert "SKIPPED naive-global x middlebox-drop: needs CAP_NET_ADMIN" in refused.stdout
    allowed = _run_without_net_admin(*args, "--allow-skip")
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert "SKIPPED naive-global x middlebox-drop: needs CAP_NET_ADMIN" in allowed.stdout


def _cell(fault: str, **fields: object) -> CellResult:
    return CellResult("s", fault, 0.0, **fields)  # type: ignore[arg-type]


def test_a_failed_expectation_outranks_an_error_which_outranks_a_skip() -> None:
    expected = {("s", f): Expectation(()) for f in ("a", "b", "c")}
    skipped = _cell("a", skipped="needs X")
    errored = _cell("b", error="boom")
    unexpected = _cell("c")  # ran and passed, but no expectation is recorded for it
    assert judge_matrix([skipped], expected).exit_code is ExitCode.SKIPPED
    assert judge_matrix([skipped, errored], expected).exit_code is ExitCode.ERRORED
    assert judge_matrix([skipped, errored, unexpected], {}).exit_code is ExitCode.FAILED
    assert judge_matrix([skipped], expected, allow_skip=True).exit_code is ExitCode.OK
    assert judge_matrix([errored], expected, allow_skip=True).exit_code is ExitCode.ERRORED


def test_check_gate_is_green_only_when_every_fault_ran_clean() -> None:
    held = held_to_every_invariant("s", ["a", "b"])  # check's expectations
    assert judge_matrix([_cell("a")], held).exit_code is ExitCode.OK
    assert judge_matrix([_cell("a"), _cell("b", skipped="x")], held).exit_code is ExitCode.SKIPPED
    verdict = judge_matrix([_cell("b", skipped="needs X")], held, allow_skip=True)
    assert verdict.ok and verdict.skipped and "1 skipped" in verdict.summary()
