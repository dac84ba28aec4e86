"""Matrix cells as pytest items: ``pytest --mysql-chaos-matrix``, one item per strategy x fault.

The cells are those ``mysql-chaos matrix`` runs (:func:`chaos.runner.cell.run_cell` with the same
backend, timing and expectations), in its canonical order: faults as listed, strategies as
listed within each fault. Node ids are ``mysql-chaos-matrix::<strategy>::<fault>``: they name
nothing on disk, so every xdist worker and every CI job collects the same ids.

An item passes iff the measured verdict meets its expectation (the gate's rule); a skipped cell
is a pytest skip with the reason, an error cell a failure. Each item records ``verdict``,
``expected``, ``status`` and ``recovery`` as properties (JUnit XML ``<property>``, as
``mysql-chaos matrix --junit`` writes them), and its whole result on its report, for
the JSON report the controller writes. The cell itself usually ran before its item, beside
others, in the session's pool (:mod:`chaos.pytest_plugin.cell_pool`); the item judges it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from chaos.faults import FAULTS
from chaos.faults.base import Need
from chaos.pytest_plugin.cell_pool import POOL
from chaos.pytest_plugin.resources import ProcessResources
from chaos.reports.model import JudgedCell
from chaos.runner.cell import run_cell
from chaos.runner.timing import CellTiming
from chaos.strategy.expectations import expectations_for
from chaos.verdicts.cell_result import CellResult
from chaos.verdicts.expectations import Expectation

ROOT_NAME = "mysql-chaos-matrix"


class CellMismatch(Exception):
    """The measured verdict is not the expected one (or the cell errored): the message says how."""


def cell_failure(result: CellResult, expected: Expectation | None) -> str | None:
    """Why the cell's item fails (its error, or how the verdict misses its expectation); None
    when it passes or skips."""
    judged = JudgedCell(result, expected)
    if result.skipped is not None:
        return None
    if result.error is not None:
        return f"error: {result.error}"
    if judged.meets_expectation:
        return None
    lines = [f"measured {result.verdict}, expected {judged.expected_label}"]
    if expected is not None and expected.why:
        lines.append(f"why expected: {expected.why}")
    for violation in result.check.violations if result.check else ():
        lines.append(f"{violation.kind}: {', '.join(violation.op_ids)} {violation.detail}")
    return "\n".join(lines)


def matrix_cells(strategies: list[str], faults: list[str]) -> list[tuple[str, str]]:
    """Every (strategy, fault) in the canonical order ``--shard`` splits."""
    return [(strategy, fault) for fault in faults for strategy in strategies]


class MatrixCollector(pytest.Collector):
    """The root of the matrix items; one :class:`StrategyCells` per strategy."""

    def collect(self) -> Iterable[pytest.Item | pytest.Collector]:
        return []  # items are made by :func:`make_items`, in the canonical cell order


class StrategyCells(pytest.Collector):
    def collect(self) -> Iterable[pytest.Item | pytest.Collector]:
        return []


class MatrixCellItem(pytest.Item):
    def __init__(
        self,
        *,
        strategy: str,
        fault: str,
        resources: ProcessResources,
        expected: Expectation | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.strategy = strategy
        self.fault = fault
        self.resources = resources
        self.expected = expected
        self.result: CellResult | None = None
        self.add_marker(pytest.mark.mysql_chaos_matrix)

    def run_cell(self) -> CellResult:
        """Run this item's cell (in this thread) with the CLI's cell runner; never raises for a
        cell-level problem."""
        from chaos.strategy import strategy_factory

        fault_class = FAULTS.get(self.fault)
        toxiproxy = None
        if Need.PROXY in fault_class.needs:
            toxiproxy = self.resources.toxiproxy.client()
        return run_cell(
            self.strategy,
            strategy_factory(self.strategy),
            fault_class,
            backend=self.resources.options.backend,
            toxiproxy=toxiproxy,
            timing=CellTiming(),
        )

    def prepare(self) -> None:
        """What :meth:`run_cell` loads on first use: the strategy's module, the proxy."""
        from chaos.strategy import strategy_factory

        strategy_factory(self.strategy)
        if Need.PROXY in FAULTS.get(self.fault).needs:
            self.resources.toxiproxy.client()

    def runtest(self) -> None:
        # Run ahead by the session's pool when there is one (mysql-chaos-jobs > 1).
        pool = self.config.stash.get(POOL, None)
        result = pool.result(self) if pool is not None else self.run_cell()
        self.result = result
        # The reports' judgement (and the gate's rule), and their words for it.
        judged = JudgedCell(result, self.expected)
        for name, value in (
            ("verdict", result.verdict),
            ("expected", judged.expected_label),
            ("status", judged.status),
            ("recovery", judged.recovery),
        ):
            self.user_properties.append((name, value))
        if result.skipped is not None:
            pytest.skip(f"{self.strategy} x {self.fault}: {result.skipped}")
        failure = self.failure(result)
        if failure is not None:
            raise CellMismatch(failure)

    def failure(self, result: CellResult) -> str | None:
        return cell_failure(result, self.expected)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if isinstance(excinfo.value, CellMismatch):
            return f"{self.strategy} x {self.fault}: {excinfo.value}"
        return super().repr_failure(excinfo)

    def reportinfo(self) -> tuple[Any, int | None, str]:
        return self.path, None, f"{self.strategy} x {self.fault}"


def make_items(
    session: pytest.Session, resources: ProcessResources, strategies: list[str], faults: list[str]
) -> list[MatrixCellItem]:
    """One item per cell, in the canonical order, each held to what ``mysql-chaos matrix``
    holds it to (a user's strategy recorded nowhere: every invariant)."""
    expectations = expectations_for(
        strategies, faults, own=resources.options.own, flavour=resources.options.flavour
    )
    # nodeid given: a child of the session would otherwise start with "::".
    root = MatrixCollector.from_parent(session, name=ROOT_NAME, nodeid=ROOT_NAME)
    parents = {name: StrategyCells.from_parent(root, name=name) for name in strategies}
    return [
        MatrixCellItem.from_parent(
            parents[strategy],
            name=fault,
            strategy=strategy,
            fault=fault,
            resources=resources,
            expected=expectations.get((strategy, fault)),
        )
        for strategy, fault in matrix_cells(strategies, faults)
    ]
