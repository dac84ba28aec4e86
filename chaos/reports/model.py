"""What every report renders: each cell's measured verdict next to its expectation."""

from __future__ import annotations

from dataclasses import dataclass

from chaos.runner.cell import CellResult
from chaos.runner.expectations import Expectation, Expectations
from chaos.runner.gate import GateVerdict, judge_matrix


@dataclass(frozen=True)
class JudgedCell:
    result: CellResult
    expected: Expectation | None

    @property
    def status(self) -> str:
        """``met``, ``mismatch``, ``error`` or ``skipped`` (a skip tested nothing: never met)."""
        if self.result.skipped is not None:
            return "skipped"
        if self.result.error is not None:
            return "error"
        if self.expected is None or self.result.violations != self.expected.violations:
            return "mismatch"
        return "met"

    @property
    def meets_expectation(self) -> bool:
        return self.status == "met"

    @property
    def recovery(self) -> str:
        check = self.result.check
        if check is None or check.recovery_seconds is None:
            return "-"
        return f"{check.recovery_seconds:.2f}s"


@dataclass(frozen=True)
class MatrixReport:
    cells: tuple[JudgedCell, ...]
    strategies: tuple[str, ...]
    faults: tuple[str, ...]
    seconds: float
    gate: GateVerdict

    @classmethod
    def build(
        cls,
        results: tuple[CellResult, ...],
        expectations: Expectations,
        strategies: list[str],
        faults: list[str],
        seconds: float,
        *,
        allow_skip: bool = False,
    ) -> MatrixReport:
        judged = tuple(
            JudgedCell(r, expectations.get((r.strategy, r.fault)))
            for r in sorted(
                results, key=lambda r: (strategies.index(r.strategy), faults.index(r.fault))
            )
        )
        gate = judge_matrix(results, expectations, allow_skip=allow_skip)
        return cls(judged, tuple(strategies), tuple(faults), seconds, gate)

    def cell(self, strategy: str, fault: str) -> JudgedCell | None:
        for judged in self.cells:
            if judged.result.strategy == strategy and judged.result.fault == fault:
                return judged
        return None

    @property
    def ok(self) -> bool:
        """The gate's answer: what exit code 0 means (see :mod:`chaos.runner.gate`)."""
        return self.gate.ok

    def with_status(self, status: str) -> tuple[JudgedCell, ...]:
        return tuple(cell for cell in self.cells if cell.status == status)

    @property
    def mismatches(self) -> tuple[JudgedCell, ...]:
        return self.with_status("mismatch")

    def slowest(self, count: int = 5) -> tuple[JudgedCell, ...]:
        return tuple(sorted(self.cells, key=lambda c: -c.result.seconds)[:count])
