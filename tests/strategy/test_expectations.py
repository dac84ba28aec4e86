"""Expected verdicts are found beside the strategies, through entry points: ours and another
package's, which records its own cells and cannot silently override ours."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import chaos
from chaos.strategy import expectations as expectations_module
from chaos.strategy import strategies
from chaos.strategy.expectations import (
    APP,
    IN_PROCESS,
    ExpectationsFile,
    expectation_files,
    expected_verdicts,
    record_verdicts,
    recording_file,
)

APPS_DIR = Path(__file__).resolve().parents[2] / "apps"


def test_the_bundled_expectations_live_in_apps_and_chaos_holds_none() -> None:
    assert recording_file(IN_PROCESS) == APPS_DIR / "expected_verdicts.toml"
    assert recording_file(APP) == APPS_DIR / "app_expected_verdicts.toml"
    assert not list(Path(chaos.__file__).parent.rglob("*.toml"))


def test_every_bundled_strategy_has_recorded_verdicts_in_both_modes() -> None:
    for mode in (IN_PROCESS, APP):
        recorded = {strategy for strategy, _ in expected_verdicts(mode)}
        assert recorded == set(strategies().names()), mode


def _package_shipping(root: Path, toml: str, mapping: str = "FILES") -> dict[str, str]:
    """A tiny installed distribution on ``root`` whose entry point names its expectations."""
    (root / "mchaos_exp_pkg.py").write_text(
        textwrap.dedent(
            """
            from pathlib import Path
            FILES = {"in-process": Path(__file__).with_name("mine.toml")}
            NOT_A_MAPPING = 3
            """
        )
    )
    (root / "mine.toml").write_text(toml)
    info = root / "mchaos_exp_pkg-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: mchaos-exp-pkg\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        f"[mysql_chaos.expectations]\nmine = mchaos_exp_pkg:{mapping}\n"
    )
    return {**os.environ, "PYTHONPATH": str(root)}


def _run(env: dict[str, str], code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from chaos.strategy.expectations import *\n" + code],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_another_package_ships_the_expectations_of_its_own_strategy(tmp_path: Path) -> None:
    env = _package_shipping(
        tmp_path, '[my-pool]\nreset-peer = { violations = ["hang"], why = "it waits" }\n'
    )
    run = _run(
        env,
        "v = expected_verdicts()\n"
        "print(v[('my-pool', 'reset-peer')].violations, len(v), len(expected_verdicts(APP)))\n"
        "print(recording_file().name)",
    )
    assert run.returncode == 0, run.stderr
    first, second = run.stdout.splitlines()
    bundled = len(expected_verdicts(IN_PROCESS))
    assert first == f"('hang',) {bundled + 1} {len(expected_verdicts(APP))}"
    assert second == "expected_verdicts.toml"  # --record-expected still writes ours
    assert [f.bundled for f in expectation_files()] == [True]


def test_a_cell_recorded_by_two_packages_is_one_clear_error(tmp_path: Path) -> None:
    env = _package_shipping(tmp_path, '[safe]\nreset-peer = { violations = [], why = "" }\n')
    run = _run(env, "expected_verdicts()")
    assert run.returncode != 0
    assert "safe x reset-peer is recorded in both" in run.stderr


def test_an_entry_point_that_names_no_mapping_of_modes_is_refused(tmp_path: Path) -> None:
    env = _package_shipping(tmp_path, "", mapping="NOT_A_MAPPING")
    run = _run(env, "expected_verdicts()")
    assert run.returncode != 0
    assert "mchaos_exp_pkg:NOT_A_MAPPING is not a mapping of in-process or app" in run.stderr


def test_recording_keeps_each_why_and_leaves_another_packages_cells_to_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ours, theirs = tmp_path / "ours.toml", tmp_path / "theirs.toml"
    ours.write_text('[safe]\noutage = { violations = [], why = "retries the whole transaction" }\n')
    theirs.write_text('[my-pool]\noutage = { violations = ["hang"], why = "it waits" }\n')
    files = [ExpectationsFile(ours, bundled=True), ExpectationsFile(theirs, bundled=False)]
    monkeypatch.setattr(expectations_module, "expectation_files", lambda mode=IN_PROCESS: files)
    measured = {("safe", "outage"): ("hang",), ("my-pool", "outage"): ()}
    assert record_verdicts(measured, IN_PROCESS) == ours
    assert ours.read_text() == (
        '[safe]\noutage = { violations = ["hang"], why = "retries the whole transaction" }\n'
    )
    assert "it waits" in theirs.read_text()


def test_unexercised_is_recorded_only_with_a_why(tmp_path: Path) -> None:
    from chaos.errors import UsageError
    from chaos.verdicts.expectations import load_expectations

    path = tmp_path / "expected.toml"
    path.write_text('[mine]\nkill-connection = { violations = ["unexercised"], why = " " }\n')
    with pytest.raises(UsageError, match="mine x kill-connection expects unexercised without a"):
        load_expectations(path)
    recorded = '[mine]\nkill-connection = { violations = ["unexercised"], why = "no session" }\n'
    path.write_text(recorded)
    assert load_expectations(path)[("mine", "kill-connection")].why == "no session"
