"""A user's strategy is held to every invariant unless the user records its verdicts, in a file
of the user's own repository that is checked as strictly as the command line."""

from __future__ import annotations

import sysconfig
from pathlib import Path

import pytest

import chaos
from chaos.checker import CheckResult
from chaos.errors import UsageError
from chaos.reports.json_io import report_from_dict, report_to_dict
from chaos.reports.model import MatrixReport
from chaos.strategy.expectations import IN_PROCESS, expectations_for, recording_file
from chaos.strategy.own_expectations import (
    read_own_expectations,
    record_own_verdicts,
    refuse_installed,
)
from chaos.verdicts import CellResult, Expectation, hold_unrecorded

SPEC = "mymod:make_strategy"
FAULTS = ["reset-peer", "kill-connection"]


def test_unrecorded_cells_of_a_users_strategy_are_held_to_every_invariant_not_a_bundled_ones():
    recorded = {("safe", "reset-peer"): Expectation(())}
    table = hold_unrecorded(recorded, ["safe", SPEC, "my-pool"], FAULTS, bundled={"safe"})
    assert table[(SPEC, "kill-connection")].every_invariant
    assert table[("my-pool", "reset-peer")].every_invariant
    assert not table[("safe", "reset-peer")].every_invariant
    assert ("safe", "kill-connection") not in table  # the project's own data incomplete: fails


def test_every_front_end_gets_the_same_table_bundled_rows_recorded_and_yours_held() -> None:
    table = expectations_for(["naive-global", SPEC], FAULTS)
    assert table[("naive-global", "reset-peer")].violations == ("not-recovered",)
    assert table[(SPEC, "reset-peer")].every_invariant


def test_the_reports_say_every_invariant_and_the_json_report_keeps_it() -> None:
    clean = CheckResult((), None, failed_ops=0, unknown_ops=0, ok_ops=8)
    result = CellResult(SPEC, "reset-peer", 1.0, check=clean)
    report = MatrixReport.build(
        (result,), expectations_for([SPEC], ["reset-peer"]), [SPEC], ["reset-peer"], 1.0
    )
    (cell,) = report.cells
    assert (cell.expected_label, cell.status) == ("every invariant", "met")
    (again,) = report_from_dict(report_to_dict(report)).cells
    assert again.expected_label == "every invariant"


def test_recorded_verdicts_of_yours_replace_every_invariant(tmp_path: Path) -> None:
    mine = tmp_path / "expected.toml"
    mine.write_text(f'["{SPEC}"]\nreset-peer = {{ violations = ["hang"], why = "it waits" }}\n')
    table = expectations_for([SPEC], FAULTS, own=read_own_expectations(mine))
    assert table[(SPEC, "reset-peer")] == Expectation(("hang",), "it waits")
    assert table[(SPEC, "kill-connection")].every_invariant


def test_a_bundled_cell_recorded_again_in_your_file_is_one_clear_error(tmp_path: Path) -> None:
    mine = tmp_path / "expected.toml"
    mine.write_text('[safe]\nreset-peer = { violations = [], why = "" }\n')
    with pytest.raises(UsageError, match=r"safe x reset-peer is recorded in both .* and .*"):
        expectations_for(["safe"], FAULTS, own=read_own_expectations(mine))


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (None, "--expected {path}: no such expectations file"),
        ("[oops", "--expected {path}: not valid TOML"),
        ("[no-such-strategy]\nreset-peer = {}\n", "unknown strategy 'no-such-strategy'"),
        (f'["{SPEC}"]\nno-such-fault = {{}}\n', "unknown fault 'no-such-fault'"),
        (f'["{SPEC}"]\nreset-peer = {{ violations = ["nope"] }}\n', "unknown violation kind"),
        (f'["{SPEC}"]\nreset-peer = {{ violation = [] }}\n', "expected { violations = [...]"),
        (f'["{SPEC}"]\nreset-peer = {{ violations = "hang" }}\n', "violations must be a list"),
        ('[":factory"]\nreset-peer = {}\n', "a registered name or module:factory"),
        ("safe = 3\n", "'safe' must be a table of faults"),
    ],
    ids=[
        "missing",
        "not-toml",
        "unknown-strategy",
        "unknown-fault",
        "unknown-kind",
        "unknown-key",
        "not-a-list",
        "bad-spec",
        "not-a-table",
    ],
)
def test_a_bad_expectations_file_is_one_line(tmp_path: Path, text: str | None, said: str) -> None:
    path = tmp_path / "expected.toml"
    if text is not None:
        path.write_text(text)
    with pytest.raises(UsageError) as caught:
        read_own_expectations(path)
    assert said.replace("{path}", str(path)) in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_file_inside_the_installed_package_is_refused(tmp_path: Path) -> None:
    for inside in (
        Path(chaos.__file__).parent / "mine.toml",
        recording_file(IN_PROCESS).with_name("mine.toml"),
        Path(sysconfig.get_paths()["purelib"]) / "mine.toml",
    ):
        with pytest.raises(UsageError, match="inside the installed package"):
            refuse_installed("--record-expected", inside)
        assert not inside.exists()
    assert refuse_installed("--record-expected", tmp_path / "mine.toml") == tmp_path / "mine.toml"


def test_recording_keeps_your_whys_and_writes_only_your_strategies(tmp_path: Path) -> None:
    path = tmp_path / "expected.toml"
    path.write_text(f'["{SPEC}"]\nreset-peer = {{ violations = ["hang"], why = "it waits" }}\n')
    measured = {
        (SPEC, "reset-peer"): ("not-recovered",),
        (SPEC, "kill-connection"): ("not-recovered",),
        ("safe", "reset-peer"): (),  # bundled: recorded in the bundled file, never here
    }
    assert record_own_verdicts(measured, path, IN_PROCESS) == (
        path,
        2,
        [(SPEC, "kill-connection")],  # recorded with a violation and no why yet
    )
    assert read_own_expectations(path).table == {
        (SPEC, "reset-peer"): Expectation(("not-recovered",), "it waits"),
        (SPEC, "kill-connection"): Expectation(("not-recovered",), ""),
    }
