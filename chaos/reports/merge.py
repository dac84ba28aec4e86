"""Join the JSON reports of a matrix's shards into one grid and one verdict.

CI splits a matrix over jobs (``mysql-chaos matrix --shard K/N``, or the pytest plugin's
``--shard``); each job writes a JSON report judging only its own cells. The merged report holds
every cell once and is judged again by the gate's rules (:mod:`chaos.verdicts.gate`), with each
cell's expectation as its shard recorded it. A merge that could be green by mistake is refused
instead: a cell in two reports, shards of different splits, a shard missing, or a hole in the
grid (a cell of the axes no report holds).
"""

from __future__ import annotations

from collections.abc import Sequence

from chaos.reports.json_io import ReportFormatError
from chaos.reports.model import MatrixReport
from chaos.verdicts.expectations import Expectations


class MergeError(ReportFormatError):
    """The reports given cannot be merged into one honest verdict."""


def merge_reports(
    reports: Sequence[tuple[str, MatrixReport]], *, allow_skip: bool = False
) -> MatrixReport:
    """One report of every cell of ``reports`` (``(file name, report)`` pairs)."""
    if not reports:
        raise MergeError("no reports to merge")
    _check_shards(reports)
    strategies: list[str] = []
    faults: list[str] = []
    owner: dict[tuple[str, str], str] = {}
    expectations: Expectations = {}
    results = []
    for name, report in reports:
        strategies += [s for s in report.strategies if s not in strategies]
        faults += [f for f in report.faults if f not in faults]
        for cell in report.cells:
            key = (cell.result.strategy, cell.result.fault)
            if key in owner:
                raise MergeError(f"{key[0]} x {key[1]} is in both {owner[key]} and {name}")
            owner[key] = name
            results.append(cell.result)
            if cell.expected is not None:
                expectations[key] = cell.expected
    missing = [(s, f) for f in faults for s in strategies if (s, f) not in owner]
    if missing:
        first = ", ".join(f"{s} x {f}" for s, f in missing[:3])
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        raise MergeError(
            f"{len(missing)} cell(s) of the grid are in no report ({first}{more}): "
            "is a shard's report missing?"
        )
    return MatrixReport.build(
        tuple(results),
        expectations,
        strategies,
        faults,
        max(report.seconds for _, report in reports),
        allow_skip=allow_skip,
    )


def _check_shards(reports: Sequence[tuple[str, MatrixReport]]) -> None:
    """Shards of one split, each once, none missing (when the reports say they are shards)."""
    shards = [(name, report.shard) for name, report in reports if report.shard is not None]
    if not shards:
        return
    totals = {total for _, (_, total) in shards}
    if len(totals) > 1:
        raise MergeError(
            f"shards of different splits: {', '.join(f'{k}/{n}' for _, (k, n) in shards)}"
        )
    (total,) = totals
    seen: dict[int, str] = {}
    for name, (index, _) in shards:
        if index in seen:
            raise MergeError(f"shard {index}/{total} is both {seen[index]} and {name}")
        seen[index] = name
    absent = [f"{k}/{total}" for k in range(1, total + 1) if k not in seen]
    if absent:
        raise MergeError(f"shard(s) {', '.join(absent)} missing")
