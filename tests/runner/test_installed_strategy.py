"""A strategy another installed package registers is a user's strategy: ``matrix`` and ``check``
hold it to every invariant (nothing recorded for it), green when it is correct, red naming the
violation when it is not."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from installed_package import GOOD, NAIVE, PACKAGE, install_package

CLI = str(Path(sys.executable).with_name("mysql-chaos"))
TWO_FAULTS = ("--fault", "kill-connection", "--fault", "reset-peer")


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return install_package(tmp_path_factory.mktemp("site"))


def _cli(env: dict[str, str], *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CLI, *args], capture_output=True, text=True, timeout=180, env=env, cwd=cwd, check=False
    )


def test_the_plain_matrix_holds_an_installed_strategy_to_every_invariant(env) -> None:
    # The whole matrix is too long for this suite: its plan, as `mysql-chaos matrix` makes it.
    code = (
        "from chaos.runner.environment import Backend\n"
        "from chaos.runner.matrix_plan import MatrixRequest, plan_matrix\n"
        "plan = plan_matrix(MatrixRequest((), ['reset-peer'], Backend(), jobs=1))\n"
        f"print(plan.strategy_names[-2:], plan.expectations[('{GOOD}', 'reset-peer')].words,\n"
        "      plan.expectations[('naive-global', 'reset-peer')].words)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == f"['{GOOD}', '{NAIVE}'] every invariant norec"


def test_matrix_is_green_for_a_correct_installed_strategy(env, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    result = _cli(env, "matrix", "--strategy", GOOD, *TWO_FAULTS, "--json", str(report))
    assert result.returncode == 0, result.stdout + result.stderr
    cells = json.loads(report.read_text())["cells"]
    assert {(c["fault"], c["verdict"], c["expected_every_invariant"]) for c in cells} == {
        ("kill-connection", "pass", True),
        ("reset-peer", "pass", True),
    }


def test_matrix_is_red_for_a_broken_installed_strategy_naming_the_violation(env) -> None:
    result = _cli(env, "matrix", "--strategy", NAIVE, *TWO_FAULTS)
    assert result.returncode == 1, result.stdout + result.stderr
    # reset-peer strikes live links (not only idle ones): no lost-in-fault is judged there.
    for fault, measured in (("kill-connection", "flost+norec"), ("reset-peer", "norec")):
        assert f"MISMATCH {NAIVE} x {fault}: measured {measured}, expected every invariant" in (
            result.stdout
        )


def test_check_is_green_for_the_correct_one_and_red_for_the_broken_one(env) -> None:
    green = _cli(env, "check", GOOD, *TWO_FAULTS)
    assert green.returncode == 0, green.stdout + green.stderr
    assert f"{GOOD}: every invariant held under every fault" in green.stdout
    red = _cli(env, "check", f"{PACKAGE}:naive", "--fault", "kill-connection")
    assert red.returncode == 1, red.stdout + red.stderr
    assert "kill-connection: norec [w" in red.stdout


def test_recorded_verdicts_of_yours_are_what_check_then_holds_it_to(env, tmp_path: Path) -> None:
    expected = tmp_path / "expected.toml"
    recorded = _cli(
        env,
        "check",
        NAIVE,
        "--fault",
        "kill-connection",
        "--record-expected",
        "expected.toml",
        cwd=tmp_path,
    )
    assert recorded.returncode == 0, recorded.stdout + recorded.stderr
    assert expected.read_text() == (
        f"[{NAIVE}]\nkill-connection = "
        '{ violations = ["lost-in-fault", "not-recovered"], why = "" }\n'
    )
    assert f"why these are expected to violate an invariant: {NAIVE} x kill-connection" in (
        recorded.stdout
    )
    judged = _cli(
        env,
        "check",
        NAIVE,
        "--fault",
        "kill-connection",
        "--expected",
        "expected.toml",
        cwd=tmp_path,
    )
    assert judged.returncode == 0, judged.stdout + judged.stderr
    assert "every fault met its expected verdict (1 recorded)" in judged.stdout


def test_check_refuses_a_bundled_name_in_one_line(env) -> None:
    result = _cli(env, "check", "naive-global")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "mysql-chaos: naive-global is bundled: `mysql-chaos matrix --strategy naive-global` "
        "judges it against its recorded verdicts; check is for your own strategies"
    )
