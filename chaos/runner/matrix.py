"""The strategy x fault matrix: every cell in parallel, each in its own environment."""

from __future__ import annotations

import contextlib
import functools
import logging
import resource
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chaos import lifecycle
from chaos.faults import FAULTS
from chaos.faults.base import Fault, Need
from chaos.runner.cell import run_cell
from chaos.runner.environment import Backend
from chaos.runner.preflight import require_local_servers
from chaos.runner.shard import select_shard
from chaos.runner.timing import CellTiming
from chaos.strategy import StrategyFactory
from chaos.verdicts.cell_result import CellResult

log = logging.getLogger(__name__)


def slow_first(fault_name: str) -> int:
    """Sort key of a cell by its fault's name: the cells of slow faults (``Fault.slow``) first,
    so they do not finish the run alone."""
    return 0 if FAULTS.get(fault_name).slow else 1


@dataclass(frozen=True)
class MatrixRun:
    results: tuple[CellResult, ...]
    seconds: float
    #: CPU seconds of this process and of the children it reaped (servers, proxy) meanwhile.
    cpu_seconds: float = 0.0

    @property
    def cpu_seconds_per_cell(self) -> float:
        return self.cpu_seconds / len(self.results) if self.results else 0.0


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@contextlib.contextmanager
def _toxiproxy_if_needed(faults: list[type[Fault]]) -> Iterator[object | None]:
    if not any(Need.PROXY in fault.needs for fault in faults):
        yield None
        return
    # Imported here: runs without proxy faults never pay for the proxy's modules.
    from chaos.toxiproxy.embedded import toxiproxy_from_environment

    with toxiproxy_from_environment() as client:
        yield client


def _announced(
    run: Callable[..., CellResult],
    on_start: Callable[[str, str], None] | None,
    strategy: str,
    fault: str,
) -> Callable[..., CellResult]:
    """``run`` that first tells ``on_start`` which cell begins (a queued cell has not)."""
    if on_start is None:
        return run

    def announced(**kwargs: Any) -> CellResult:
        on_start(strategy, fault)
        return run(**kwargs)

    return announced


def run_matrix(
    strategies: list[tuple[str, StrategyFactory]],
    faults: list[type[Fault]],
    *,
    backend: Backend | None = None,
    jobs: int = 8,
    timing: CellTiming | None = None,
    history_dir: Path | None = None,
    on_result: Callable[[CellResult, int, int], None] | None = None,
    on_start: Callable[[str, str], None] | None = None,
    shard: tuple[int, int] | None = None,
    workload: str = "bank",
) -> MatrixRun:
    """Run every strategy against every fault; ``on_result(result, done, total)`` per cell,
    ``on_start(strategy, fault)`` as each cell starts (from the cell's thread).

    ``shard=(K, N)`` runs only shard K of N (:mod:`chaos.runner.shard`), split over the
    canonical order: faults as listed, strategies as listed within each fault.
    """
    backend = backend or Backend()
    timing = timing or CellTiming()
    cells = [
        (
            name,
            fault,
            functools.partial(
                run_cell,
                name,
                factory,
                fault,
                backend=backend,
                timing=timing,
                history_dir=history_dir,
                workload=workload,
            ),
        )
        for fault in faults
        for name, factory in strategies
    ]
    return run_cells(
        cells,
        faults,
        backend=backend,
        jobs=jobs,
        on_result=on_result,
        on_start=on_start,
        shard=shard,
    )


#: A cell to run: its strategy's name, its fault, and a call that runs it given the run's
#: Toxiproxy client (``toxiproxy=``, None when no fault needs one).
Cell = tuple[str, type[Fault], Callable[..., CellResult]]


def run_cells(
    cells: list[Cell],
    faults: list[type[Fault]],
    *,
    backend: Backend,
    jobs: int,
    on_result: Callable[[CellResult, int, int], None] | None = None,
    on_start: Callable[[str, str], None] | None = None,
    shard: tuple[int, int] | None = None,
) -> MatrixRun:
    """Run ``cells`` (in the canonical order, for ``shard``) in parallel, slow faults first."""
    require_local_servers(faults, backend)
    if shard is not None:
        cells = select_shard(cells, *shard)
    # Cells of slow faults start first, so they do not finish the run alone.
    cells = sorted(cells, key=lambda cell: 0 if cell[1].slow else 1)
    started = time.monotonic()
    cpu_started = _cpu_seconds()
    results: list[CellResult] = []
    with _toxiproxy_if_needed(faults) as toxiproxy:
        executor = ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="cell")
        try:
            pending: set[Future[CellResult]] = {
                executor.submit(_announced(run, on_start, name, fault.name), toxiproxy=toxiproxy)
                for name, fault, run in cells
            }
            while pending:
                done, pending = wait(pending, timeout=0.5, return_when=FIRST_COMPLETED)
                for future in done:
                    result = future.result()
                    results.append(result)
                    if on_result is not None:
                        on_result(result, len(results), len(cells))
        except BaseException:
            # Ctrl-C or a bug: stop scheduling, tear down every server and namespace now
            # (that unblocks the cells still running), then let the exception go on.
            executor.shutdown(wait=False, cancel_futures=True)
            lifecycle.run_cleanups()
            raise
        executor.shutdown(wait=True)
    return MatrixRun(tuple(results), time.monotonic() - started, _cpu_seconds() - cpu_started)
