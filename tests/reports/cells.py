"""Cell results built in memory, for the report tests: reports read results, nothing else."""

from __future__ import annotations

from chaos.checker import CheckResult, Violation
from chaos.reports.model import MatrixReport
from chaos.verdicts.cell_result import CellResult
from chaos.verdicts.expectations import Expectation, Expectations
from chaos.workload.history import Kind, Result
from chaos.workload.timeline import Timeline, TimelineOperation

STRATEGIES = ["naive-global", "safe"]
FAULTS = ["outage", "kill-connection"]


def timeline(*results: str, inject: int = 100, heal: int = 400) -> Timeline:
    """One operation per result on worker ``i % 2``, 50 ms apart from the inject on."""
    operations = tuple(
        TimelineOperation(
            f"w{i % 2}-{i + 1}",
            i % 2,
            inject + 50 * i,
            inject + 50 * i + 20,
            Result(result),
            Kind.TRANSFER,
            None if result == "ok" else "CR_SERVER_LOST",
        )
        for i, result in enumerate(results)
    )
    return Timeline(2, inject, heal, operations)


def passed(strategy: str, fault: str, *, after_inject: float = 0.35) -> CellResult:
    check = CheckResult(
        violations=(),
        recovery_seconds=0.001,
        failed_ops=1,
        unknown_ops=0,
        ok_ops=9,
        recovered_after_inject=after_inject,
        recovered_after_heal=max(0.0, after_inject - 0.3),
    )
    return CellResult(strategy, fault, 1.5, check=check, timeline=timeline("fail", "ok", "ok"))


def never_recovered(strategy: str, fault: str) -> CellResult:
    violations = tuple(
        Violation("not-recovered", (f"w{w}-5", f"w{w}-6"), f"worker {w}: 2 attempt(s) after heal")
        for w in range(2)
    )
    check = CheckResult(violations, None, 0, 4, 4)
    return CellResult(strategy, fault, 4.0, check=check, timeline=timeline("unknown", "unknown"))


def skipped(strategy: str, fault: str) -> CellResult:
    return CellResult(strategy, fault, 0.0, skipped="needs CAP_NET_ADMIN")


def errored(strategy: str, fault: str) -> CellResult:
    return CellResult(strategy, fault, 0.2, error="FaultError: heal failed")


def expectations() -> Expectations:
    return {
        **{("naive-global", f): Expectation(("not-recovered",), "one connection") for f in FAULTS},
        **{("safe", f): Expectation((), "") for f in FAULTS},
    }


def results() -> tuple[CellResult, ...]:
    """The four cells, each meeting its expectation."""
    return (
        never_recovered("naive-global", "outage"),
        never_recovered("naive-global", "kill-connection"),
        passed("safe", "outage"),
        passed("safe", "kill-connection"),
    )


def report(
    cells: tuple[CellResult, ...] | None = None,
    *,
    shard: tuple[int, int] | None = None,
    allow_skip: bool = False,
) -> MatrixReport:
    return MatrixReport.build(
        results() if cells is None else cells,
        expectations(),
        STRATEGIES,
        FAULTS,
        5.0,
        allow_skip=allow_skip,
        shard=shard,
    )
