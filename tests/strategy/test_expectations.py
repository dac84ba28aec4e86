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
from chaos.faults import FAULTS
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
from chaos.verdicts import load_expectations

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
    monkeypatch.setattr(
        expectations_module, "expectation_files", lambda mode=IN_PROCESS, flavour="mariadb": files
    )
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


def test_a_run_on_mysql_is_held_to_mariadbs_table_with_mysqls_own_cells_laid_over() -> None:
    for mode, name in ((IN_PROCESS, "expected_verdicts"), (APP, "app_expected_verdicts")):
        assert recording_file(mode, "mysql") == APPS_DIR / f"{name}.mysql.toml"
        base, differences = (
            expected_verdicts(mode),
            load_expectations(recording_file(mode, "mysql")),
        )
        assert expected_verdicts(mode, "mysql") == {**base, **differences}
        for key, expectation in differences.items():
            # A cell is in MySQL's file only where MySQL measures otherwise, and says why.
            assert key in base and expectation.violations != base[key].violations, key
            assert expectation.why, key


def test_an_unknown_flavour_is_refused() -> None:
    with pytest.raises(ValueError, match="flavour 'oracle'"):
        expected_verdicts(IN_PROCESS, "oracle")


def test_recording_on_mysql_keeps_only_the_cells_that_differ_from_mariadbs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, mysql = tmp_path / "base.toml", tmp_path / "base.mysql.toml"
    base.write_text(
        '[safe]\noutage = { violations = [], why = "" }\n'
        'reset-peer = { violations = [], why = "" }\n'
        'kill-connection = { violations = [], why = "" }\n'
    )
    mysql.write_text(
        "# MySQL's own cells\n\n"
        '[safe]\noutage = { violations = ["hang"], why = "a silent KILL" }\n'
        'reset-peer = { violations = ["hang"], why = "was once" }\n'
    )

    def files(mode: str = IN_PROCESS, flavour: str = "mariadb") -> list[ExpectationsFile]:
        return [ExpectationsFile(base if flavour == "mariadb" else mysql, bundled=True)]

    monkeypatch.setattr(expectations_module, "expectation_files", files)
    measured = {
        ("safe", "outage"): ("hang",),
        ("safe", "reset-peer"): (),
        ("safe", "kill-connection"): ("not-recovered",),
    }
    assert record_verdicts(measured, IN_PROCESS, "mysql") == mysql
    assert mysql.read_text() == (
        "# MySQL's own cells\n\n"
        '[safe]\noutage = { violations = ["hang"], why = "a silent KILL" }\n'
        'kill-connection = { violations = ["not-recovered"], why = "" }\n'
    )
    assert "kill-connection = { violations = []" in base.read_text()  # MariaDB's untouched


def test_another_package_records_its_strategys_mysql_cells_under_in_process_mysql(
    tmp_path: Path,
) -> None:
    env = _package_shipping(
        tmp_path, '[my-pool]\nreset-peer = { violations = ["hang"], why = "it waits" }\n'
    )
    (tmp_path / "mine.mysql.toml").write_text(
        '[my-pool]\nreset-peer = { violations = [], why = "MySQL answers in time" }\n'
    )
    module = tmp_path / "mchaos_exp_pkg.py"
    module.write_text(
        module.read_text().replace(
            '{"in-process": Path(__file__).with_name("mine.toml")}',
            '{"in-process": Path(__file__).with_name("mine.toml"), '
            '"in-process:mysql": Path(__file__).with_name("mine.mysql.toml")}',
        )
    )
    run = _run(
        env,
        "print(expected_verdicts()[('my-pool', 'reset-peer')].violations, "
        "expected_verdicts(flavour='mysql')[('my-pool', 'reset-peer')].violations)",
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "('hang',) ()"


@pytest.mark.parametrize("mode", [IN_PROCESS, APP])
def test_every_bundled_strategy_has_a_recorded_verdict_under_every_fault_its_matrix_runs(
    mode: str,
) -> None:
    """The default matrix (the quick start's main job) fails a bundled cell with no row: a
    strategy or a fault added on one line of work and never crossed with the other's."""
    recorded = set(expected_verdicts(mode))
    faults = [
        name for name in FAULTS.names() if mode == IN_PROCESS or FAULTS.get(name).app_mode_default
    ]
    missing = [
        (strategy, fault)
        for strategy in strategies().names()
        for fault in faults
        if (strategy, fault) not in recorded
    ]
    assert missing == []
