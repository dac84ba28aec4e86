"""The matrix items' cell pool, with cells that wait on events instead of servers.

What is under test is the pool's scheduling (how many at once, what starts after a failure,
what ``close`` drops); the real cells run through it in ``test_matrix_concurrency``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import pytest

from chaos.pytest_plugin.cell_pool import CellPool
from chaos.verdicts.cell_result import CellResult

WAIT = 10  # a bound for a wait that should end at once, so a broken pool fails, not hangs


@dataclass
class FakeCell:
    name: str
    fails: bool = False
    fault: str = "kill-connection"
    release: threading.Event = field(default_factory=threading.Event)
    runs: list[str] = field(default_factory=list)  # the thread of each run
    prepared_in: str = ""

    @property
    def nodeid(self) -> str:
        return self.name

    def run_cell(self) -> CellResult:
        self.runs.append(threading.current_thread().name)
        assert self.release.wait(WAIT)
        return CellResult("s", self.name, 0.0, error="boom" if self.fails else None)

    def prepare(self) -> None:
        self.prepared_in = threading.current_thread().name

    def failure(self, result: CellResult) -> str | None:
        return result.error


def started(cells: list[FakeCell]) -> list[str]:
    return [cell.name for cell in cells if cell.runs]


def wait_until(condition, timeout: float = WAIT) -> None:  # type: ignore[no-untyped-def]
    event = threading.Event()
    for _ in range(int(timeout / 0.01)):
        if condition():
            return
        event.wait(0.01)
    raise AssertionError("condition never held")


def test_cells_run_in_the_background_at_most_jobs_at_once_slow_faults_first():
    cells = [FakeCell(f"c{i}") for i in range(5)] + [FakeCell("slow", fault="slow-network")]
    pool = CellPool(cells, jobs=3, maxfail=0)
    waiter = threading.Thread(target=pool.result, args=(cells[0],))
    waiter.start()  # as pytest's first item does: that starts the pool
    wait_until(lambda: len(started(cells)) == 3)
    assert started(cells) == ["c0", "c1", "slow"]
    assert all(run.startswith("cell") for cell in cells for run in cell.runs)  # pool threads
    # Prepared (imports, the proxy) in the thread that asked first, before the pool ran any.
    assert {cell.prepared_in for cell in cells} == {waiter.name}
    for cell in cells:
        cell.release.set()
    waiter.join(WAIT)
    assert [pool.result(cell).fault for cell in cells[1:]] == [cell.name for cell in cells[1:]]
    assert all(len(cell.runs) == 1 for cell in cells)  # each ran once, none again on demand
    pool.close(interrupted=False)


def test_after_maxfail_failures_nothing_more_starts_and_asked_cells_run_in_the_item():
    failing, other, queued = FakeCell("failing", fails=True), FakeCell("other"), FakeCell("q")
    pool = CellPool([failing, other, queued], jobs=2, maxfail=1)
    waiter = threading.Thread(target=pool.result, args=(other,))
    waiter.start()
    wait_until(lambda: started([failing, other]) == ["failing", "other"])
    failing.release.set()  # it fails: the pool must not give its thread the queued cell
    wait_until(lambda: pool._failures == 1)
    other.release.set()
    waiter.join(WAIT)
    assert not queued.runs
    queued.release.set()
    assert pool.result(queued).fault == "q"  # pytest still asks for it: run in the item
    assert queued.runs == [threading.current_thread().name]
    pool.close(interrupted=False)


def test_close_drops_the_cells_not_started_and_waits_for_the_running_ones():
    running, queued = FakeCell("running"), FakeCell("queued")
    pool = CellPool([running, queued], jobs=1, maxfail=0)
    waiter = threading.Thread(target=pool.result, args=(running,))
    waiter.start()
    wait_until(lambda: started([running]) == ["running"])
    closer = threading.Thread(target=pool.close, kwargs={"interrupted": False})
    closer.start()
    closer.join(0.2)
    assert closer.is_alive()  # waits for the running cell
    running.release.set()
    closer.join(WAIT)
    waiter.join(WAIT)
    assert not closer.is_alive() and not queued.runs


def test_nothing_starts_before_the_first_item_asks():
    cells = [FakeCell("a"), FakeCell("b")]
    pool = CellPool(cells, jobs=2, maxfail=0)
    pool.close(interrupted=False)  # e.g. --collect-only: the run loop never asked
    assert started(cells) == []


@pytest.mark.parametrize("jobs", [2, 4])
def test_every_cell_runs_once_whatever_order_the_items_ask_in(jobs):
    cells = [FakeCell(f"c{i}") for i in range(6)]
    for cell in cells:
        cell.release.set()
    pool = CellPool(cells, jobs=jobs, maxfail=0)
    asked = [pool.result(cell).fault for cell in reversed(cells)]
    assert asked == [f"c{i}" for i in range(5, -1, -1)]
    pool.close(interrupted=False)
    assert all(len(cell.runs) == 1 for cell in cells)


def test_an_interrupt_tears_down_then_waits_for_the_running_cells(monkeypatch):
    """pytest renders the interrupt's traceback (ast.parse) right after close: a cell thread
    still formatting its own failure then broke the run with CPython 3.11's SystemError."""
    from chaos import lifecycle

    running, queued = FakeCell("running"), FakeCell("queued")
    pool = CellPool([running, queued], jobs=1, maxfail=0)
    waiter = threading.Thread(target=pool.result, args=(running,))
    waiter.start()
    wait_until(lambda: running.runs)
    teardowns: list[str] = []

    def teardown() -> None:  # as the servers' cleanups do: it ends the cell running on one
        teardowns.append("done")
        running.release.set()

    # The process's own cleanups stay registered: run, they would stop this session's servers.
    monkeypatch.setattr(lifecycle, "run_cleanups", teardown)
    pool.close(interrupted=True)
    assert teardowns == ["done"]
    cell_threads = [t for t in threading.enumerate() if t.name.startswith("cell")]
    assert cell_threads == []  # every cell thread ended before close returned
    assert queued.runs == []  # nothing more started
    waiter.join(WAIT)
