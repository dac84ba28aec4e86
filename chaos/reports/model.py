"""What every report renders: each cell's measured verdict next to its expectation."""

from __future__ import annotations

from dataclasses import dataclass

from chaos.verdicts.cell_result import CellResult
from chaos.verdicts.expectations import Expectation, Expectations
from chaos.verdicts.gate import GateVerdict, judge_matrix
from chaos.verdicts.vocabulary import MISMATCH


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
    def label(self) -> str:
        """The verdict's words as every report shows them: ``norec``, ``pass!`` (``!``: it
        differs from the expected verdict; ``?``: the fault could not tell whether it struck; a
        skip or an error measured nothing)."""
        mismatch = MISMATCH if self.status == "mismatch" else ""
        return self.result.verdict + self.result.strike_mark + mismatch

    @property
    def expected_label(self) -> str:
        """The expected verdict in the same words, ``every invariant`` for a strategy of the
        user's with nothing recorded, or ``(none recorded)`` (a bundled strategy's missing row)."""
        return self.expected.words if self.expected else "(none recorded)"

    @property
    def recovery(self) -> str:
        """Time to recover from inject and from heal, ``0.81/0.01`` (``never``, ``-``)."""
        check = self.result.check
        if check is None:
            return "-"
        if check.recovered_after_inject is None or check.recovered_after_heal is None:
            return "never"
        return f"{check.recovered_after_inject:.2f}/{check.recovered_after_heal:.2f}"


@dataclass(frozen=True)
class MatrixReport:
    cells: tuple[JudgedCell, ...]
    strategies: tuple[str, ...]
    faults: tuple[str, ...]
    seconds: float
    gate: GateVerdict
    #: ``(K, N)`` when this report holds shard K of N of a matrix (``--shard K/N``).
    shard: tuple[int, int] | None = None

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
        shard: tuple[int, int] | None = None,
    ) -> MatrixReport:
        judged = tuple(
            JudgedCell(r, expectations.get((r.strategy, r.fault)))
            for r in sorted(
                results, key=lambda r: (strategies.index(r.strategy), faults.index(r.fault))
            )
        )
        gate = judge_matrix(results, expectations, allow_skip=allow_skip)
        return cls(judged, tuple(strategies), tuple(faults), seconds, gate, shard)

    def cell(self, strategy: str, fault: str) -> JudgedCell | None:
        for judged in self.cells:
            if judged.result.strategy == strategy and judged.result.fault == fault:
                return judged
        return None

    @property
    def ok(self) -> bool:
        """The gate's answer: what exit code 0 means (see :mod:`chaos.verdicts.gate`)."""
        return self.gate.ok

    def with_status(self, status: str) -> tuple[JudgedCell, ...]:
        return tuple(cell for cell in self.cells if cell.status == status)

    @property
    def mismatches(self) -> tuple[JudgedCell, ...]:
        return self.with_status("mismatch")

    def slowest(self, count: int = 5) -> tuple[JudgedCell, ...]:
        return tuple(sorted(self.cells, key=lambda c: -c.result.seconds)[:count])
