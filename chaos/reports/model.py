"""What every report renders: each cell's measured verdict next to its expectation."""

from __future__ import annotations

from dataclasses import dataclass

from chaos.runner.cell import CellResult
from chaos.runner.expectations import Expectation, Expectations


@dataclass(frozen=True)
class JudgedCell:
    result: CellResult
    expected: Expectation | None

    @property
    def meets_expectation(self) -> bool:
        if self.result.skipped is not None:
            return True
        if self.result.error is not None or self.expected is None:
            return False
        return self.result.violations == self.expected.violations

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

    @classmethod
    def build(
        cls,
        results: tuple[CellResult, ...],
        expectations: Expectations,
        strategies: list[str],
        faults: list[str],
        seconds: float,
    ) -> MatrixReport:
        judged = tuple(
            JudgedCell(r, expectations.get((r.strategy, r.fault)))
            for r in sorted(
                results, key=lambda r: (strategies.index(r.strategy), faults.index(r.fault))
            )
        )
        return cls(judged, tuple(strategies), tuple(faults), seconds)

    def cell(self, strategy: str, fault: str) -> JudgedCell | None:
        for judged in self.cells:
            if judged.result.strategy == strategy and judged.result.fault == fault:
                return judged
        return None

    @property
    def ok(self) -> bool:
        return all(cell.meets_expectation for cell in self.cells)

    @property
    def mismatches(self) -> tuple[JudgedCell, ...]:
        return tuple(cell for cell in self.cells if not cell.meets_expectation)

    def slowest(self, count: int = 5) -> tuple[JudgedCell, ...]:
        return tuple(sorted(self.cells, key=lambda c: -c.result.seconds)[:count])
