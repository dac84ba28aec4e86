"""A matrix run as ``mysql-chaos matrix`` asks for it: the cells, what they are held to, the report.

The command parses its options into a :class:`MatrixRequest`; :func:`plan_matrix` loads the
strategies and the expected verdicts (a factory that cannot be built fails here, before any
cell); :func:`run_plan` runs the cells and returns the :class:`MatrixReport`, whose gate
(:mod:`chaos.verdicts.gate`) is the run's exit code. The bundled strategies are held to the
verdicts recorded for the server flavour the cells run on. A user's ``module:factory`` is held
to every invariant unless an expectation is recorded for it, and so is a strategy another
package registers (:func:`chaos.strategy.expectations.expectations_for`, the rule every front
end uses).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from chaos.faults import FAULTS
from chaos.reports.model import MatrixReport
from chaos.runner.environment import Backend
from chaos.runner.matrix import MatrixRun, run_matrix
from chaos.runner.shard import select_shard
from chaos.runner.user_strategy import load_user_factory
from chaos.strategy import StrategyFactory, load_factory, strategies, strategy_factory
from chaos.strategy.expectations import (
    APP,
    IN_PROCESS,
    OwnExpectations,
    expectations_for,
    record_verdicts,
)
from chaos.strategy.own_expectations import record_own_verdicts
from chaos.verdicts import BASE_FLAVOUR, CellResult, Expectations, fails_expectation


def select_strategies(requested: tuple[str, ...]) -> list[str]:
    """The registered strategies named in ``requested`` (all when it names none and no
    ``module:factory`` either), in registry order; an unknown name is a UsageError."""
    names = [name for name in requested if ":" not in name]
    return strategies().select(names) if names or len(names) == len(requested) else []


@dataclass(frozen=True)
class MatrixRequest:
    #: Registered names and ``module:factory`` specs, as given.
    strategies: tuple[str, ...]
    fault_names: list[str]
    backend: Backend
    jobs: int
    app_mode: bool = False
    #: ``--option KEY=VALUE`` for the ``module:factory`` strategies (in-process cells only).
    options: tuple[str, ...] = ()
    wsgi_server: str = "auto"
    shard: tuple[int, int] | None = None
    history_dir: Path | None = None
    allow_skip: bool = False
    #: The user's own expected verdicts (``--expected FILE``), merged over the registered ones.
    own: OwnExpectations | None = None

    @property
    def mode(self) -> str:
        """Which expected verdicts hold: the in-process cells' or the app cells'."""
        return APP if self.app_mode else IN_PROCESS

    @property
    def specs(self) -> list[str]:
        return [name for name in self.strategies if ":" in name]


@dataclass(frozen=True)
class MatrixPlan:
    request: MatrixRequest
    #: The grid's rows: the registered strategies, then the specs.
    strategy_names: list[str]
    #: In-process cells' factories by row (empty in app mode: the app server loads them).
    factories: list[tuple[str, StrategyFactory]]
    expectations: Expectations
    #: The server flavour the cells run on, whose expected verdicts they are held to.
    flavour: str = BASE_FLAVOUR

    @property
    def total(self) -> int:
        """How many cells run (this shard's, with ``--shard``)."""
        total = len(self.strategy_names) * len(self.request.fault_names)
        if self.request.shard is None:
            return total
        return len(select_shard(range(total), *self.request.shard))

    def fails(self, result: CellResult) -> bool:
        """Whether a cell that ran measured other violations than it is held to."""
        return fails_expectation(result, self.expectations)


def plan_matrix(request: MatrixRequest) -> MatrixPlan:
    names = select_strategies(request.strategies)
    factories = [(name, strategy_factory(name)) for name in names]
    if request.app_mode:
        for spec in request.specs:  # the app server imports it; fail here, in one line
            load_factory(spec)
    else:
        factories += [
            (spec, load_user_factory(spec, request.options, request.backend))
            for spec in request.specs
        ]
    rows = [*names, *request.specs]
    flavour = request.backend.flavour()
    expectations = expectations_for(rows, request.fault_names, request.mode, request.own, flavour)
    return MatrixPlan(request, rows, factories, expectations, flavour)


@dataclass(frozen=True)
class MatrixOutcome:
    run: MatrixRun
    report: MatrixReport


def run_plan(
    plan: MatrixPlan,
    *,
    on_result: Callable[[CellResult, int, int], None] | None = None,
    on_start: Callable[[str, str], None] | None = None,
) -> MatrixOutcome:
    """Run the plan's cells; ``on_result``/``on_start`` as for :func:`run_matrix`."""
    request = plan.request
    faults = [FAULTS.get(name) for name in request.fault_names]
    if request.app_mode:
        from chaos.runner.app_matrix import run_app_matrix
        from chaos.runner.app_under_test import seed_app, seed_app_module

        module = seed_app_module()
        run = run_app_matrix(
            [seed_app(name, module) for name in plan.strategy_names],
            faults,
            backend=request.backend,
            jobs=request.jobs,
            wsgi_server=request.wsgi_server,
            history_dir=request.history_dir,
            on_result=on_result,
            on_start=on_start,
            shard=request.shard,
        )
    else:
        run = run_matrix(
            plan.factories,
            faults,
            backend=request.backend,
            jobs=request.jobs,
            history_dir=request.history_dir,
            on_result=on_result,
            on_start=on_start,
            shard=request.shard,
        )
    report = MatrixReport.build(
        run.results,
        plan.expectations,
        plan.strategy_names,
        request.fault_names,
        run.seconds,
        allow_skip=request.allow_skip,
        shard=request.shard,
    )
    return MatrixOutcome(run, report)


def measured_verdicts(report: MatrixReport) -> dict[tuple[str, str], tuple[str, ...]]:
    """The violations of the cells that ran (a skip or an error measured nothing)."""
    return {
        (cell.result.strategy, cell.result.fault): cell.result.violations
        for cell in report.cells
        if cell.result.skipped is None and cell.result.error is None
    }


def record_measured(report: MatrixReport, mode: str, flavour: str = BASE_FLAVOUR) -> Path:
    """Write the bundled strategies' verdicts into the bundled expectations file of ``flavour``
    (another than the base one: the cells that differ from the base table); its path."""
    return record_verdicts(measured_verdicts(report), mode, flavour)


def record_own_measured(
    report: MatrixReport, path: Path, mode: str
) -> tuple[Path, int, list[tuple[str, str]]]:
    """Write the user's strategies' verdicts into the user's ``path``
    (:func:`~chaos.strategy.own_expectations.record_own_verdicts`)."""
    return record_own_verdicts(measured_verdicts(report), path, mode)
