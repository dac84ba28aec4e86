"""What exit code a run earns: the gate's decision, made here so every front end agrees.

A gate must never be green by mistake. A run is green (0) only when every requested cell ran
and met its expectation; a cell that was skipped did not test anything, so it fails the gate
with its own code unless the user explicitly allowed skips. When several things went wrong the
most telling code wins: a failed expectation (1), then an error (4), then a skip (3).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from chaos.verdicts.cell_result import CellResult
from chaos.verdicts.expectations import Expectations


class ExitCode(enum.IntEnum):
    OK = 0  # every requested cell ran and met its expectation
    FAILED = 1  # a cell's verdict differs from its expectation (check: a violation)
    USAGE = 2  # bad input: unknown name, unwritable report path, malformed URL
    SKIPPED = 3  # a cell was skipped (its need unmet) and skips were not allowed
    ERRORED = 4  # a cell's fault, server, proxy or code raised
    INTERRUPTED = 130  # Ctrl-C or SIGTERM


@dataclass(frozen=True)
class GateVerdict:
    exit_code: ExitCode
    failed: tuple[CellResult, ...]
    errored: tuple[CellResult, ...]
    skipped: tuple[CellResult, ...]
    allow_skip: bool

    @property
    def ok(self) -> bool:
        return self.exit_code is ExitCode.OK

    def summary(self) -> str:
        """One line: what the run earned and why."""
        if self.ok and not self.skipped:
            return "every requested cell ran and met its expectation"
        parts = []
        if self.failed:
            parts.append(f"{len(self.failed)} failed")
        if self.errored:
            parts.append(f"{len(self.errored)} errored")
        if self.skipped:
            allowed = " (allowed by --allow-skip)" if self.allow_skip else ""
            parts.append(f"{len(self.skipped)} skipped{allowed}")
        return ", ".join(parts) + f": exit {int(self.exit_code)}"


def judge(
    results: Iterable[CellResult], *, fails: Callable[[CellResult], bool], allow_skip: bool
) -> GateVerdict:
    """The verdict for ``results``; ``fails(result)`` says whether a cell that ran failed."""
    results = tuple(results)
    skipped = tuple(r for r in results if r.skipped is not None)
    errored = tuple(r for r in results if r.skipped is None and r.error is not None)
    failed = tuple(r for r in results if r.skipped is None and r.error is None and fails(r))
    if failed:
        code = ExitCode.FAILED
    elif errored:
        code = ExitCode.ERRORED
    elif skipped and not allow_skip:
        code = ExitCode.SKIPPED
    else:
        code = ExitCode.OK
    return GateVerdict(code, failed, errored, skipped, allow_skip)


def judge_matrix(
    results: Iterable[CellResult], expectations: Expectations, *, allow_skip: bool = False
) -> GateVerdict:
    """Matrix: a cell fails when its violations differ from the recorded ones (or none is)."""
    return judge(
        results,
        fails=lambda result: fails_expectation(result, expectations),
        allow_skip=allow_skip,
    )


def fails_expectation(result: CellResult, expectations: Expectations) -> bool:
    """Whether a cell that ran measured other violations than recorded (or none is recorded)."""
    expected = expectations.get((result.strategy, result.fault))
    return expected is None or expected.violations != result.violations
