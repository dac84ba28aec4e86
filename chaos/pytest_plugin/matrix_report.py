"""The JSON report of a matrix run as pytest items, written by the process that sees every item.

Each cell's result rides on its test report (``report.mysql_chaos_cell``: a one-cell report as
:func:`chaos.reports.json_io.report_to_dict` writes it, plain JSON values). Without xdist that
is this process; under xdist the workers' reports are serialised to the controller with their
extra attributes, and the controller (no ``workerinput``) writes the file: the format of
``mysql-chaos matrix --json``, holding the cells this run (or this ``--shard``) ran, which
``mysql-chaos report merge`` joins with the other shards'.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from chaos.reports.json_io import report_from_dict, report_to_dict
from chaos.reports.model import MatrixReport
from chaos.verdicts.cell_result import CellResult
from chaos.verdicts.expectations import Expectation

REPORT_ATTRIBUTE = "mysql_chaos_cell"


def cell_to_json(result: CellResult, expected: Expectation | None) -> dict[str, Any]:
    key = (result.strategy, result.fault)
    expectations = {key: expected} if expected is not None else {}
    one = MatrixReport.build((result,), expectations, [key[0]], [key[1]], result.seconds)
    return report_to_dict(one)


def cell_from_json(data: dict[str, Any]) -> tuple[CellResult, Expectation | None]:
    """The cell's result and what its item held it to."""
    (cell,) = report_from_dict(data).cells
    return cell.result, cell.expected


class MatrixJsonReport:
    """A plugin object: collects the cells' results from the reports, writes them at the end."""

    def __init__(
        self,
        path: Path,
        strategies: list[str],
        faults: list[str],
        shard: tuple[int, int] | None,
        flavour: str,
    ) -> None:
        self.path = path
        self.flavour = flavour  # whose expected verdicts the cells are held to
        self.strategies = strategies
        self.faults = faults
        self.shard = shard
        self.results: dict[tuple[str, str], CellResult] = {}
        #: What each item held its cell to (the items' own judgement, not looked up again).
        self.expectations: dict[tuple[str, str], Expectation] = {}
        self.started = time.monotonic()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        data = getattr(report, REPORT_ATTRIBUTE, None)
        if data is not None:
            result, expected = cell_from_json(data)
            self.results[(result.strategy, result.fault)] = result
            if expected is not None:
                self.expectations[(result.strategy, result.fault)] = expected

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self) -> None:
        from chaos.reports.format import report_formats, write_report

        report = MatrixReport.build(
            tuple(self.results.values()),
            self.expectations,
            self.strategies,
            self.faults,
            time.monotonic() - self.started,
            shard=self.shard,
        )
        write_report(report, report_formats().get("json"), self.path)
