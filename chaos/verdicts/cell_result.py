"""What one cell of a matrix measured: its verdict as a value, apart from the code that ran it.

A report, the gate and a stored JSON file all read this; none of them needs the servers, faults
or namespaces that produced it (those live in :mod:`chaos.runner`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chaos.checker.result import CheckResult
from chaos.fault_effect import FaultEffect
from chaos.verdicts.vocabulary import ERROR, SKIP, STRIKE_UNKNOWN, verdict_words
from chaos.workload.timeline import Timeline


@dataclass(frozen=True)
class CellResult:
    strategy: str
    fault: str
    seconds: float
    check: CheckResult | None = None
    skipped: str | None = None
    error: str | None = None
    history_file: str | None = None
    notes: tuple[str, ...] = field(default=())
    #: What the reports draw of the cell's history (None when the cell did not run).
    timeline: Timeline | None = None
    #: What the fault struck over the cell, its inject and heal together (None: not recorded).
    strike: FaultEffect | None = None

    @property
    def strike_unknown(self) -> bool:
        """The cell ran and its fault could not tell whether it struck (not unexercised)."""
        ran = self.skipped is None and self.error is None
        return ran and self.strike is not None and self.strike.struck is None

    @property
    def strike_mark(self) -> str:
        """``?`` after the verdict's words when the strike is not known, else nothing."""
        return STRIKE_UNKNOWN if self.strike_unknown else ""

    @property
    def violations(self) -> tuple[str, ...]:
        """The distinct violation kinds, sorted: the cell's verdict."""
        if self.check is None:
            return ()
        return tuple(sorted({v.kind for v in self.check.violations}))

    @property
    def verdict(self) -> str:
        """The cell's verdict in the reports' words: ``pass``, ``norec+hang``, ``skip``, ..."""
        if self.skipped is not None:
            return SKIP
        if self.error is not None:
            return ERROR
        return verdict_words(self.violations)
