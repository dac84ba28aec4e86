"""Verdicts: what a cell measured, what it was expected to measure, and what exit code a run earns.

Values and rules only: the cell result, the expectations file, the gate and the words every
report speaks. The reports import this package and nothing of the runner, so reading or writing
a report never loads servers, faults or network namespaces.
"""

from chaos.verdicts.cell_result import CellResult
from chaos.verdicts.expectations import (
    BASE_FLAVOUR,
    EVERY_INVARIANT,
    FLAVOURS,
    HELD_TO_EVERY_INVARIANT,
    Expectation,
    Expectations,
    dump_expectations,
    held_to_every_invariant,
    hold_unrecorded,
    load_expectations,
    overlay,
)
from chaos.verdicts.gate import ExitCode, GateVerdict, fails_expectation, judge_matrix

__all__ = [
    "BASE_FLAVOUR",
    "EVERY_INVARIANT",
    "FLAVOURS",
    "HELD_TO_EVERY_INVARIANT",
    "CellResult",
    "ExitCode",
    "Expectation",
    "Expectations",
    "GateVerdict",
    "dump_expectations",
    "fails_expectation",
    "held_to_every_invariant",
    "hold_unrecorded",
    "judge_matrix",
    "load_expectations",
    "overlay",
]
