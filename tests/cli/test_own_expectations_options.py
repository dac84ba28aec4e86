"""``--expected FILE`` and ``--record-expected FILE`` on ``matrix`` and ``check``: bad input is
one line and exit 2 before any cell runs, and leaves no file behind."""

from __future__ import annotations

import sysconfig
from pathlib import Path

import pytest

import chaos
from chaos.strategy.expectations import IN_PROCESS, recording_file

from .support import run_cli

SPEC = "mysql_chaos_apps.strategies.safe:SafeStrategy"
MATRIX = ("matrix", "--strategy", SPEC, "--fault", "reset-peer")
CHECK = ("check", SPEC, "--fault", "reset-peer")
INSTALLED = {
    "chaos": Path(chaos.__file__).parent / "mine.toml",
    "bundled-expectations": recording_file(IN_PROCESS).with_name("mine.toml"),
    "site-packages": Path(sysconfig.get_paths()["purelib"]) / "mine.toml",
}


def _refused(result, said: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert said in result.stderr and "Traceback" not in result.stderr
    assert "[  1/" not in result.stdout  # no cell started


@pytest.mark.parametrize("command", [MATRIX, CHECK], ids=["matrix", "check"])
@pytest.mark.parametrize(
    ("text", "said"),
    [
        (None, "--expected expected.toml: no such expectations file"),
        ("[oops", "--expected expected.toml: not valid TOML"),
        ("[no-such]\nreset-peer = {}\n", "unknown strategy 'no-such'"),
        (f'["{SPEC}"]\nno-such = {{}}\n', "unknown fault 'no-such'"),
        ("[safe]\nreset-peer = { violations = [] }\n", "safe x reset-peer is recorded in both"),
    ],
    ids=["missing", "not-toml", "unknown-strategy", "unknown-fault", "recorded-twice"],
)
def test_a_bad_expected_file_is_one_line(tmp_path: Path, command, text, said) -> None:
    if text is not None:
        (tmp_path / "expected.toml").write_text(text)
    _refused(run_cli(*command, "--expected", "expected.toml", cwd=tmp_path), said)


@pytest.mark.parametrize("command", [MATRIX, CHECK], ids=["matrix", "check"])
@pytest.mark.parametrize("where", list(INSTALLED))
def test_recording_into_the_installed_package_is_refused(command, where: str) -> None:
    target = INSTALLED[where]
    _refused(run_cli(*command, "--record-expected", str(target)), "inside the installed package")
    assert not target.exists()


@pytest.mark.parametrize("command", [MATRIX, CHECK], ids=["matrix", "check"])
def test_recording_over_a_file_that_is_not_an_expectations_file_is_refused(
    tmp_path: Path, command
) -> None:
    (tmp_path / "notes.toml").write_text("just notes\n")
    _refused(
        run_cli(*command, "--record-expected", "notes.toml", cwd=tmp_path),
        "--record-expected notes.toml: not valid TOML",
    )
    assert (tmp_path / "notes.toml").read_text() == "just notes\n"


def test_recording_into_a_missing_directory_is_refused(tmp_path: Path) -> None:
    _refused(
        run_cli(*CHECK, "--record-expected", "no/such/e.toml", cwd=tmp_path),
        "--record-expected no/such/e.toml: directory no/such does not exist",
    )


def test_recording_a_file_of_yours_needs_a_strategy_of_yours(tmp_path: Path) -> None:
    result = run_cli(
        "matrix", "--strategy", "safe", "--fault", "reset-peer",
        "--record-expected", "e.toml", cwd=tmp_path,
    )  # fmt: skip
    _refused(result, "records your own strategies (module:factory, or registered by another")
    assert not (tmp_path / "e.toml").exists()


def test_recording_the_bundled_file_is_refused_with_a_strategy_of_yours() -> None:
    _refused(
        run_cli(*MATRIX, "--record-expected"),
        "--record-expected without a FILE records the bundled strategies only",
    )
