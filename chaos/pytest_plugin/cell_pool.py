"""Matrix cells run ahead of their items, several at once, as `mysql-chaos matrix` runs them.

A cell mostly waits (a read timeout, keepalive probes, an outage's seconds), so one cell at a
time leaves the machine idle. The pool starts the cells of every matrix item this process will
run (the session's items; under xdist, this worker's share) in background threads, slow faults
first, at most ``jobs`` at once; each item's ``runtest`` waits for its own cell's result and
judges it there, so reports, JUnit properties, ``--shard`` and xdist see items as before.

What pytest would not have run, the pool does not start: once as many cells have failed as
``--maxfail`` (``-x``) allows, it starts no more (an item pytest still asks for then runs its
cell itself, in order, as it would serially), and when the run loop ends the cells not yet
started are dropped and the running ones waited for. On Ctrl-C (or SIGTERM) nothing more starts
and every server and namespace of the process is torn down at once, as the CLI does.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Protocol

import pytest

from chaos import lifecycle
from chaos.verdicts.cell_result import CellResult

log = logging.getLogger(__name__)


class PooledCell(Protocol):
    """What the pool needs of a matrix item."""

    @property
    def nodeid(self) -> str: ...

    fault: str

    def run_cell(self) -> CellResult: ...

    def prepare(self) -> None: ...

    def failure(self, result: CellResult) -> str | None: ...


class CellPool:
    """The background cells of one pytest process, started when the first item asks for its
    result (so ``--collect-only`` or a collection error starts none)."""

    def __init__(self, cells: Sequence[PooledCell], *, jobs: int, maxfail: int) -> None:
        self.cells = list(cells)
        self.jobs = jobs
        self.maxfail = maxfail
        self._executor: ThreadPoolExecutor | None = None
        self._futures: dict[str, Future[CellResult | None]] = {}
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._scheduling = threading.Lock()
        self._failures = 0

    def _start(self) -> None:
        """Submit the cells, slow faults first (the order the CLI starts them in)."""
        from chaos.runner.matrix import slow_first

        cells, self.cells = self.cells, []
        for cell in cells:
            # In this thread, before the pool's: the imports a cell makes on first use (pytest
            # rewrites this package's modules, and CPython 3.11's ast.parse is not safe in two
            # threads at once), and the process's Toxiproxy, whose child dies with the thread
            # that started it. What fails here fails again in the cell, which reports it.
            try:
                cell.prepare()
            except Exception:
                log.debug("preparing %s failed; its cell reports it", cell.nodeid, exc_info=True)
        # Submitted whole before close can take the executor (pytest calls both from one
        # thread; anything else, a test's threads for one, may overlap them).
        with self._scheduling:
            self._executor = ThreadPoolExecutor(max_workers=self.jobs, thread_name_prefix="cell")
            for cell in sorted(cells, key=lambda cell: slow_first(cell.fault)):
                self._futures[cell.nodeid] = self._executor.submit(self._run, cell)

    def _run(self, cell: PooledCell) -> CellResult | None:
        if self._stopping.is_set():
            return None  # not started: the item runs it itself if pytest still asks for it
        result = cell.run_cell()
        if cell.failure(result) is not None:
            with self._lock:
                self._failures += 1
                if self.maxfail and self._failures >= self.maxfail:
                    self._stopping.set()
        return result

    def result(self, cell: PooledCell) -> CellResult:
        """The cell's result: the pool's when it ran it, else run here and now."""
        if self.cells and not self._stopping.is_set():
            self._start()
        future = self._futures.pop(cell.nodeid, None)
        result = future.result() if future is not None else None
        return result if result is not None else cell.run_cell()

    def close(self, *, interrupted: bool) -> None:
        """Start nothing more; wait for the running cells, or on an interrupt tear them down."""
        self._stopping.set()
        with self._scheduling:
            executor, self._executor = self._executor, None
        if executor is None:
            return
        if interrupted:
            # As run_cells does: every server and namespace goes now, which ends the cells
            # still running. Then wait for their threads: pytest next renders the interrupt's
            # traceback with ast.parse, which must not run beside a cell formatting its own
            # (CPython 3.11, chaos/runner/ast_guard.py): that broke the run with a SystemError.
            executor.shutdown(wait=False, cancel_futures=True)
            lifecycle.run_cleanups()
        executor.shutdown(wait=True, cancel_futures=True)


POOL = pytest.StashKey[CellPool]()
