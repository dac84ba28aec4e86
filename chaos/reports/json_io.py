"""The JSON report, written and read back: every other report can be rendered from it alone.

A JSON report holds each cell's result (verdict, violations with the operation ids that prove
them, recovery times, a compact timeline, what its fault struck), its expectation and why, the
grid's axes, the legend, the shard it came from and the gate's verdict. :func:`load_report`
rebuilds the :class:`MatrixReport` it was written from, so ``mysql-chaos report merge`` can join
the reports of several shards and render every format from them. Anything that is not such a
file is one :class:`ReportFormatError` line naming the file and what is wrong.

Layout: the document's keys one per line, then one line per cell (a 228-cell report stays a
file that ``grep`` and ``jq`` read well, and small: timelines keep times in milliseconds).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from chaos.checker import CheckResult, Violation
from chaos.errors import UsageError
from chaos.fault_effect import FaultEffect
from chaos.reports.format import ReportFormat
from chaos.reports.model import MatrixReport
from chaos.verdicts.cell_result import CellResult
from chaos.verdicts.expectations import Expectation, Expectations
from chaos.verdicts.vocabulary import verdict_legend
from chaos.workload.timeline import Timeline

#: Version of the layout below; a reader refuses any other.
FORMAT = 2

_CHECK_FIELDS = (
    "recovery_seconds",
    "recovered_after_inject",
    "recovered_after_heal",
    "slowest_recovery_seconds",
    "recovery_from_fault_seconds",
)


class ReportFormatError(UsageError):
    """A file given as a JSON report is not one (or not of this version)."""


def report_to_dict(report: MatrixReport) -> dict[str, Any]:
    gate = report.gate
    return {
        "format": FORMAT,
        "ok": report.ok,
        "exit_code": int(gate.exit_code),
        "summary": gate.summary(),
        "skips_allowed": gate.allow_skip,
        "seconds": round(report.seconds, 3),
        "shard": None if report.shard is None else list(report.shard),
        "strategies": list(report.strategies),
        "faults": list(report.faults),
        "legend": [vars(word) for word in verdict_legend()],
        "cells": [_cell_to_dict(cell.result, cell.expected, cell.status) for cell in report.cells],
    }


def dumps_report(report: MatrixReport) -> str:
    data = report_to_dict(report)
    cells = data.pop("cells")
    head = json.dumps(data, indent=2)[:-2]  # without the closing "\n}"
    rows = ",\n".join("    " + json.dumps(cell, separators=(",", ":")) for cell in cells)
    return head + ',\n  "cells": [\n' + rows + ("\n" if rows else "") + "  ]\n}\n"


def _cell_to_dict(r: CellResult, expected: Expectation | None, status: str) -> dict[str, Any]:
    check = r.check
    return {
        "strategy": r.strategy,
        "fault": r.fault,
        "verdict": r.verdict,
        "status": status,
        "meets_expectation": status == "met",
        "expected": None if expected is None else list(expected.violations),
        "expected_why": None if expected is None else expected.why,
        # Nothing recorded: a strategy of the user's, held to every invariant.
        "expected_every_invariant": expected is not None and expected.every_invariant,
        "violations": [
            {
                "kind": str(v.kind),
                "short": v.kind.short,
                "op_ids": list(v.op_ids),
                "detail": v.detail,
            }
            for v in (check.violations if check else ())
        ],
        **{name: _round(getattr(check, name) if check else None) for name in _CHECK_FIELDS},
        "failed_ops": check.failed_ops if check else None,
        "unknown_ops": check.unknown_ops if check else None,
        "ok_ops": check.ok_ops if check else None,
        "seconds": round(r.seconds, 3),
        "skipped": r.skipped,
        "error": r.error,
        "history_file": r.history_file,
        "notes": list(r.notes),
        "timeline": None if r.timeline is None else r.timeline.to_dict(),
        "strike": None if r.strike is None else r.strike.to_dict(),
    }


def _round(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 4)


def load_report(path: str | Path) -> MatrixReport:
    """Read a JSON report written by :func:`dumps_report`; one-line error for anything else."""
    try:
        data = json.loads(Path(path).read_text())
    except OSError as e:
        raise ReportFormatError(f"{path}: cannot read: {e.strerror or e}") from e
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ReportFormatError(f"{path}: not JSON: {e}") from e
    try:
        return report_from_dict(data)
    except ReportFormatError as e:
        raise ReportFormatError(f"{path}: {e}") from e


def report_from_dict(data: Any) -> MatrixReport:
    if not isinstance(data, dict) or "cells" not in data:
        raise ReportFormatError("not a mysql-chaos JSON report (no cells)")
    if data.get("format") != FORMAT:
        raise ReportFormatError(
            f"report format {data.get('format')!r}, this mysql-chaos reads {FORMAT} "
            "(write it again with this version)"
        )
    where = "the report"
    try:
        strategies = [_text(s) for s in data["strategies"]]
        faults = [_text(f) for f in data["faults"]]
        results: list[CellResult] = []
        expectations: Expectations = {}
        for index, cell in enumerate(data["cells"]):
            where = f"cells[{index}]"
            result, expected = _cell_from_dict(cell)
            if result.strategy not in strategies or result.fault not in faults:
                raise ValueError(f"{result.strategy} x {result.fault} is not on the grid's axes")
            results.append(result)
            if expected is not None:
                expectations[(result.strategy, result.fault)] = expected
        where = "the report"
        shard = data["shard"]
        report = MatrixReport.build(
            tuple(results),
            expectations,
            strategies,
            faults,
            float(data["seconds"]),
            allow_skip=bool(data["skips_allowed"]),
            shard=None if shard is None else (int(shard[0]), int(shard[1])),
        )
    except KeyError as e:
        raise ReportFormatError(f"{where}: missing key {e}") from e
    except (TypeError, ValueError, IndexError, AttributeError) as e:
        raise ReportFormatError(f"{where}: {e}") from e
    if int(report.gate.exit_code) != data.get("exit_code"):
        raise ReportFormatError(
            f"says exit {data.get('exit_code')!r}, but its cells earn exit "
            f"{int(report.gate.exit_code)} (edited by hand?)"
        )
    return report


def _cell_from_dict(cell: dict[str, Any]) -> tuple[CellResult, Expectation | None]:
    ran = cell["skipped"] is None and cell["error"] is None
    check = None
    if ran:
        check = CheckResult(
            violations=tuple(
                Violation(v["kind"], tuple(_text(i) for i in v["op_ids"]), _text(v["detail"]))
                for v in cell["violations"]
            ),
            failed_ops=int(cell["failed_ops"]),
            unknown_ops=int(cell["unknown_ops"]),
            ok_ops=int(cell["ok_ops"]),
            **{name: _seconds(cell[name]) for name in _CHECK_FIELDS},
        )
    timeline = cell["timeline"]
    result = CellResult(
        strategy=_text(cell["strategy"]),
        fault=_text(cell["fault"]),
        seconds=float(cell["seconds"]),
        check=check,
        skipped=_optional_text(cell["skipped"]),
        error=_optional_text(cell["error"]),
        history_file=_optional_text(cell["history_file"]),
        notes=tuple(_text(n) for n in cell["notes"]),
        timeline=None if timeline is None else Timeline.from_dict(timeline),
        strike=_strike(cell.get("strike")),
    )
    expected = cell["expected"]
    if expected is None:
        return result, None
    return result, Expectation(
        tuple(sorted(_text(v) for v in expected)),
        cell["expected_why"] or "",
        every_invariant=bool(cell.get("expected_every_invariant", False)),
    )


def _strike(value: Any) -> FaultEffect | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise TypeError(f"expected the strike as an object, found {value!r}")
    return FaultEffect.from_dict(value)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a string, found {value!r}")
    return value


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _seconds(value: Any) -> float | None:
    return None if value is None else float(value)


REPORT_FORMAT = ReportFormat("json", ".json", "Write JSON.", dumps_report, read=load_report)
