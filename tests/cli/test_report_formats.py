"""Report formats are a registry: a format registered anywhere is an option of every command
that writes reports, and the file it writes is what it renders, with no other edit."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from chaos.cli.main import cli
from chaos.registry import Registry
from chaos.reports import format as format_module
from chaos.reports.format import ReportFormat, register_format, report_formats
from chaos.reports.json_io import dumps_report
from chaos.reports.model import MatrixReport
from tests.reports.cells import report

COMMANDS = (["matrix"], ["check"], ["check-app"], ["report", "merge"])


def _cells_as_csv(matrix: MatrixReport) -> str:
    rows = [f"{c.result.strategy},{c.result.fault},{c.label}" for c in matrix.cells]
    return "strategy,fault,verdict\n" + "\n".join(rows) + "\n"


@pytest.fixture
def csv_format(monkeypatch: pytest.MonkeyPatch) -> ReportFormat:
    """A throw-away format, registered for this test only."""
    registry: Registry[ReportFormat] = Registry("report format")
    for name, built_in in report_formats().items():
        registry.add(name, built_in)
    monkeypatch.setattr(format_module, "REPORT_FORMATS", registry)
    return register_format(ReportFormat("csv-cells", ".csv", "Write CSV rows.", _cells_as_csv))


def test_the_built_in_formats_are_the_documented_options() -> None:
    assert [f.option for _, f in report_formats().items()] == [
        "--junit",
        "--json",
        "--markdown",
        "--html",
    ]
    assert report_formats().get("json").read is not None


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_registered_format_is_an_option_of_every_reporting_command(
    command: list[str], csv_format: ReportFormat
) -> None:
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "--csv-cells FILE" in result.output
    assert "Write CSV rows." in result.output


def test_report_merge_writes_a_registered_format(tmp_path: Path, csv_format: ReportFormat) -> None:
    source = tmp_path / "a.json"
    source.write_text(dumps_report(report()))
    out, merged_json = tmp_path / "cells.csv", tmp_path / "merged.json"
    result = CliRunner().invoke(
        cli,
        ["report", "merge", str(source), "--csv-cells", str(out), "--json", str(merged_json)],
    )
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.output
    assert out.read_text() == _cells_as_csv(report())
    assert "safe,outage,pass" in out.read_text()
    # The other formats are unchanged: the merged JSON is the source, byte for byte.
    assert merged_json.read_text() == source.read_text()


def test_an_unwritable_path_for_a_registered_format_is_refused_by_its_option(
    tmp_path: Path, csv_format: ReportFormat
) -> None:
    source = tmp_path / "a.json"
    source.write_text(dumps_report(report()))
    result = CliRunner().invoke(
        cli, ["report", "merge", str(source), "--csv-cells", str(tmp_path / "no" / "x.csv")]
    )
    assert result.exit_code != 0
    assert "--csv-cells" in str(result.exception or result.output)


def test_without_registering_it_the_option_does_not_exist() -> None:
    result = CliRunner().invoke(cli, ["report", "merge", "--help"])
    assert "--csv-cells" not in result.output
