"""The JSON report of a matrix run as pytest items, written by the process that sees every item.

Each cell's result rides on its test report (``report.mysql_chaos_cell``, plain JSON values):
without xdist that is this process; under xdist the workers' reports are serialised to the
controller with their extra attributes, and the controller (no ``workerinput``) writes the file.
The file is :func:`chaos.reports.renderers.as_json` of a :class:`MatrixReport`, the same as
``mysql-chaos matrix --json``, holding the cells this run (or this ``--shard``) ran.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from chaos.checker import CheckResult, Violation
from chaos.runner.cell import CellResult

REPORT_ATTRIBUTE = "mysql_chaos_cell"


def cell_to_json(result: CellResult) -> dict[str, Any]:
    check = result.check
    return {
        "strategy": result.strategy,
        "fault": result.fault,
        "seconds": result.seconds,
        "skipped": result.skipped,
        "error": result.error,
        "check": None
        if check is None
        else {
            "violations": [
                {"kind": str(v.kind), "op_ids": list(v.op_ids), "detail": v.detail}
                for v in check.violations
            ],
            "recovery_seconds": check.recovery_seconds,
            "failed_ops": check.failed_ops,
            "unknown_ops": check.unknown_ops,
            "ok_ops": check.ok_ops,
            "slowest_recovery_seconds": check.slowest_recovery_seconds,
            "recovery_from_fault_seconds": check.recovery_from_fault_seconds,
        },
    }


def cell_from_json(data: dict[str, Any]) -> CellResult:
    check = data["check"]
    return CellResult(
        strategy=data["strategy"],
        fault=data["fault"],
        seconds=data["seconds"],
        skipped=data["skipped"],
        error=data["error"],
        check=None
        if check is None
        else CheckResult(
            violations=tuple(
                Violation(v["kind"], tuple(v["op_ids"]), v["detail"]) for v in check["violations"]
            ),
            recovery_seconds=check["recovery_seconds"],
            failed_ops=check["failed_ops"],
            unknown_ops=check["unknown_ops"],
            ok_ops=check["ok_ops"],
            slowest_recovery_seconds=check["slowest_recovery_seconds"],
            recovery_from_fault_seconds=check["recovery_from_fault_seconds"],
        ),
    )


class MatrixJsonReport:
    """A plugin object: collects the cells' results from the reports, writes them at the end."""

    def __init__(self, path: Path, strategies: list[str], faults: list[str]) -> None:
        self.path = path
        self.strategies = strategies
        self.faults = faults
        self.results: dict[tuple[str, str], CellResult] = {}
        self.started = time.monotonic()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        data = getattr(report, REPORT_ATTRIBUTE, None)
        if data is not None:
            result = cell_from_json(data)
            self.results[(result.strategy, result.fault)] = result

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self) -> None:
        from chaos.reports.model import MatrixReport
        from chaos.reports.renderers import as_json
        from chaos.runner.expectations import load_expectations

        report = MatrixReport.build(
            tuple(self.results.values()),
            load_expectations(),
            self.strategies,
            self.faults,
            time.monotonic() - self.started,
        )
        self.path.write_text(as_json(report))
