"""``mysql-chaos bench plugin`` end to end, tiny: both front ends ran the same cells, the table's
shape and the ratio line (never the numbers: a benchmark on a shared machine is not a check)."""

from __future__ import annotations

import re

import pytest

from tests.cli.support import run_cli


def test_bench_plugin_runs_both_front_ends_alternating_and_compares_their_verdicts() -> None:
    result = run_cli(
        "bench", "plugin", "--strategy", "safe", "--strategy", "naive-global",
        "--fault", "kill-connection", "--jobs", "2", "--rounds", "2",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert re.findall(r"round \d/2: (\w+)", result.stderr) == ["cli", "pytest", "pytest", "cli"]
    lines = result.stdout.splitlines()
    assert lines[0].startswith("2 cells, 2 jobs, pytest -n 2; 2 rounds"), lines[0]
    assert "load average" in lines[0]
    rows = [line.split() for line in lines[2:4]]
    for number, row in enumerate(rows, start=1):
        assert row[0] == str(number)
        assert all(re.fullmatch(r"\d+\.\d+", value) for value in row[1:4]), row
        # naive-global x kill-connection does not recover, as expected: both gates pass.
        assert row[4:] == ["cli", "0,", "pytest", "0"], row
    assert re.fullmatch(r"median wall time ratio pytest/cli: \d+\.\d\d", lines[4]), lines[4]
    assert lines[5] == "verdicts identical in every run (2 cells)"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fault", "no-such-fault"], "no-such-fault"),
        (["--strategy", "no-such-strategy"], "no-such-strategy"),
        (["--jobs", "0"], "Invalid value for '--jobs'"),
    ],
)
def test_bench_plugin_bad_input_is_one_line_before_any_run(args: list[str], message: str) -> None:
    result = run_cli("bench", "plugin", *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "round" not in result.stderr
