"""Long-lived worker threads for the driver, and the bookkeeping of stuck ones.

Each worker thread takes one job at a time from its own inbox and puts its completion on one
shared queue; only the driver's thread reads that queue, so all recording happens in one thread.
A worker whose job outlived the hard deadline is *abandoned* (the driver stopped waiting) and,
if it is still stuck when given its reclaim window, *lost* for good.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chaos.strategy import AsyncUnitOfWork, UnitOfWork
from chaos.workload.generator import PlannedOperation
from chaos.workload.history import Phase

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """One operation handed to a worker thread; ``invoke`` is in driver seconds."""

    number: int
    planned: PlannedOperation
    phase: Phase
    invoke: float
    unit: UnitOfWork | AsyncUnitOfWork

    @property
    def worker(self) -> int:
        return self.planned.worker


@dataclass(frozen=True)
class Completion:
    """What a worker thread reports: the body's value, or the error and whether it is definite."""

    job: Job
    complete: float
    value: Any = None
    error: BaseException | None = None
    definite: bool = False


class WorkerPool:
    """``size`` daemon threads running ``execute`` on the jobs submitted to them."""

    def __init__(self, size: int, execute: Callable[[Job], Completion]) -> None:
        self.size = size
        self._execute = execute
        self._done: queue.SimpleQueue[Completion] = queue.SimpleQueue()
        self._inboxes: list[queue.SimpleQueue[Job | None]] = []
        self._threads: list[threading.Thread] = []
        self._abandoned: dict[int, Job] = {}  # worker -> the job it is stuck in
        self._lost: set[int] = set()
        self._closed = False
        for worker in range(size):
            inbox: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
            # Daemon: a thread stuck on a frozen server must not keep the process alive.
            thread = threading.Thread(
                target=self._work, args=(inbox,), name=f"chaos-worker-{worker}", daemon=True
            )
            self._inboxes.append(inbox)
            self._threads.append(thread)
            thread.start()

    def _work(self, inbox: queue.SimpleQueue[Job | None]) -> None:
        while (job := inbox.get()) is not None:
            self._done.put(self._execute(job))

    def submit(self, job: Job) -> None:
        if self._closed:
            raise RuntimeError("the worker pool is closed")
        self._inboxes[job.worker].put(job)

    def receive(self, timeout: float) -> Completion | None:
        """The next completion, or ``None`` after ``timeout`` seconds."""
        try:
            return self._done.get(timeout=max(0.0, timeout))
        except queue.Empty:
            return None

    def abandon(self, job: Job) -> None:
        self._abandoned[job.worker] = job

    def settle_late(self, completion: Completion) -> bool:
        """Take a completion nobody waits for any more; True when its worker may work again."""
        job = completion.job
        self._abandoned.pop(job.worker, None)
        log.info(
            "%s finished %.3fs after it was invoked, too late: it stays recorded as hung",
            job.planned.op_id,
            completion.complete - job.invoke,
        )
        return job.worker not in self._lost

    def pending(self) -> set[int]:
        """Abandoned workers that have not had their reclaim window yet."""
        return {w for w in self._abandoned if w not in self._lost}

    def lose(self, workers: set[int]) -> None:
        for worker in sorted(workers):
            log.warning("worker %d is still stuck; it takes no further part", worker)
        self._lost.update(workers)

    def usable(self, worker: int) -> bool:
        return worker not in self._abandoned and worker not in self._lost

    def choose(self, preferred: int) -> int | None:
        """``preferred`` if usable, else the next usable worker in order; None if none is."""
        for offset in range(self.size):
            candidate = (preferred + offset) % self.size
            if self.usable(candidate):
                return candidate
        return None

    def close(self, join_timeout: float) -> None:
        """Stop every thread; wait (bounded) for the idle ones, leave the stuck ones."""
        if self._closed:
            return
        self._closed = True
        for inbox in self._inboxes:
            inbox.put(None)
        for worker, thread in enumerate(self._threads):
            if worker not in self._abandoned:
                thread.join(timeout=join_timeout)
        if self._abandoned:
            log.warning("left %d stuck worker thread(s) behind", len(self._abandoned))
