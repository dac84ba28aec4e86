"""The workload driver: long-lived worker threads run bank operations through a strategy.

Workers are threads that live for the whole cell, like uWSGI's ``--threads``: a strategy that
keeps one connection per thread keeps it across phases, so a connection broken during the fault
is met again afterwards. An async strategy comes behind its adapter (its tasks on one event loop,
each worker thread waiting for its own) and gets the same operations as async units.

Each operation's outcome is recorded Jepsen-style: the strategy
returned (``ok``), raised :class:`DefiniteFailure` (``fail``), raised anything else
(``unknown``). A ``run()`` that exits (``SystemExit``) ends the cell instead, as an error: the
process was told to stop, which is no outcome of a transaction.

Every wait is bounded. An operation that has not completed within ``hard_deadline`` (a strategy
with no read timeout talking to a frozen server) is recorded as ``unknown`` with error ``hang``
and its worker is abandoned: the thread stays blocked (killing the server later unblocks it) and
the run goes on without it. At the start of each later phase an abandoned worker gets
``reclaim_seconds`` to finish; if it does, it rejoins (its late result is discarded: the
operation stays ``hang``), otherwise it is lost for the rest of the run. The window, not the
moment a worker happens to return, decides, so a cell stays deterministic.

The fault phase runs every worker at once, reads included, as Jepsen does: the fault (which
links it strikes, on the wire or all of them) decides who is hit, not thread timing.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Mapping
from typing import Any

from chaos.errors import StrategyExitError, one_line
from chaos.session_setup import SessionSetup
from chaos.strategy import DefiniteFailure, Strategy, is_async_strategy
from chaos.taxonomy import classify
from chaos.workload.bank_async import unit_builders
from chaos.workload.generator import WorkerPlan
from chaos.workload.history import (
    HANG,
    CellMeta,
    History,
    Kind,
    Operation,
    Phase,
    PhaseSpan,
    Result,
)
from chaos.workload.list_append import NAME as LIST_APPEND
from chaos.workload.list_append import ListAppendPlan, txn_builder
from chaos.workload.pacing import FixedCountPacer, Pacer, UntilRecoveredPacer
from chaos.workload.pool import Completion, Job, WorkerPool

log = logging.getLogger(__name__)

Clock = Callable[[], float]


class WorkloadDriver:
    """Runs the bank workload through ``strategy``; the caller owns (and closes) the strategy.

    ``clock`` is read for every timestamp and deadline (it must advance); tests inject one.
    Worker ``w`` moves money between accounts ``2w+1`` and ``2w+2``: the bank needs
    ``2 * workers`` accounts. With ``session``, every read also reads the session state the
    run asked for (in the same statement) and records it.
    """

    def __init__(
        self,
        strategy: Strategy,
        workers: int = 4,
        hard_deadline: float = 10.0,
        *,
        clock: Clock = time.monotonic,
        reclaim_seconds: float | None = None,
        session: SessionSetup | None = None,
        workload: str = "bank",
    ) -> None:
        if workers < 1:
            raise ValueError(f"need at least one worker, not {workers}")
        if hard_deadline <= 0:
            raise ValueError(f"hard deadline must be positive, not {hard_deadline}")
        if is_async_strategy(strategy):
            raise TypeError(
                "an async strategy runs behind chaos.strategy.AsyncStrategyAdapter "
                "(build_strategy wraps it)"
            )
        self.strategy = strategy
        self._read_unit, self._transfer_unit = unit_builders(strategy)
        self.session = session
        #: The strategy sets up session objects on each connection: the reads look for them.
        self.objects = bool(getattr(strategy, "keeps_session_objects", False))
        self.workload = workload
        self.workers = workers
        self.hard_deadline = hard_deadline
        self.reclaim_seconds = hard_deadline if reclaim_seconds is None else reclaim_seconds
        self._clock = clock
        self._origin = clock()
        self._plans: list[WorkerPlan | ListAppendPlan]
        if workload == "bank":
            self._plans = [WorkerPlan(w) for w in range(workers)]
        elif workload == LIST_APPEND:
            self._plans = [ListAppendPlan(w, workers) for w in range(workers)]
            self._txn_unit = txn_builder(strategy)
        else:
            raise ValueError(f"unknown workload {workload!r}: bank or {LIST_APPEND}")
        self._operations: list[Operation] = []
        self._phases: list[PhaseSpan] = []
        self._heal_time: float | None = None
        self._fault_time: float | None = None
        self._jobs = 0
        self._pool = WorkerPool(workers, self._execute)

    # -- what the runner calls ------------------------------------------------------------

    def now(self) -> float:
        """Seconds since the driver started: the time base of the whole history."""
        return self._clock() - self._origin

    def run_concurrently(self, operations_per_worker: int, phase: Phase | str) -> None:
        """Every usable worker issues ``operations_per_worker`` operations, all at once."""
        self._run_phase(Phase(phase), FixedCountPacer(operations_per_worker))

    def run_fault_phase(
        self,
        operations_per_worker: int,
        phase: Phase | str = Phase.FAULT,
        *,
        spacing: float = 0.0,
    ) -> None:
        """Every usable worker issues ``operations_per_worker`` operations, all at once.

        The last worker reads while the others transfer, so reads run during the fault (with
        one worker, it transfers: a fault phase must contain a transaction to strike). With
        ``spacing`` a worker's k-th operation starts ``spacing`` x k seconds into the phase at
        the earliest (see ``FixedCountPacer``).
        """
        kinds = {w: Kind.TRANSFER for w in range(self.workers)}
        if self.workers > 1:
            kinds[self.workers - 1] = Kind.READ
        pacer = FixedCountPacer(operations_per_worker, spacing)
        self._run_phase(Phase(phase), pacer, kinds=kinds)

    def read_once(self, phase: Phase | str) -> None:
        """Every usable worker reads once, all at once: with a session setup, each worker's
        reading of its session state at this point (the warm-up's is its baseline)."""
        kinds = {w: Kind.READ for w in range(self.workers)}
        self._run_phase(Phase(phase), FixedCountPacer(1), kinds=kinds)

    def run_one_at_a_time(
        self,
        count: int,
        phase: Phase | str,
        worker: int = 0,
        *,
        kind: Kind | str = Kind.TRANSFER,
    ) -> None:
        """``count`` operations strictly one after another, on ``worker`` while it is usable.

        A single connection meets whatever happens; transfers by default.
        """
        phase, kind = Phase(phase), Kind(kind)
        start = self.now()
        self._reclaim(start + self.reclaim_seconds)
        for _ in range(count):
            chosen = self._pool.choose(worker)
            if chosen is None:
                log.warning("every worker is stuck: the %s phase stops early", phase)
                break
            self._await(self._submit(chosen, phase, kind))
        self._phases.append(PhaseSpan(phase, start, self.now()))

    def run_until_recovered(
        self,
        phase: Phase | str,
        deadline_seconds: float,
        operations_after_success: int = 2,
    ) -> bool:
        """Every worker issues operations until it has succeeded and done a few more.

        No operation starts later than ``deadline_seconds`` after the phase starts; a worker
        that failed backs off briefly before its next attempt. Returns whether every worker
        that took part succeeded.
        """
        start = self.now()
        pacer = UntilRecoveredPacer(start + deadline_seconds, operations_after_success)
        participants = self._run_phase(Phase(phase), pacer, start)
        return all(pacer.succeeded(w) for w in participants)

    def mark_fault(self, at: float | None = None) -> float:
        """Record when the fault was injected (now, unless given in driver seconds)."""
        self._fault_time = self.now() if at is None else at
        return self._fault_time

    def mark_heal(self, at: float | None = None) -> float:
        """Record when the fault was healed (now, unless given in driver seconds)."""
        self._heal_time = self.now() if at is None else at
        return self._heal_time

    @property
    def operations(self) -> tuple[Operation, ...]:
        return tuple(sorted(self._operations, key=lambda op: (op.invoke, op.worker)))

    def history(
        self,
        strategy: str,
        fault: str,
        *,
        initial_total: int | None = None,
        recovery_deadline: float | None = None,
    ) -> History:
        """The history so far, with the cell's metadata."""
        meta = CellMeta(
            strategy=strategy,
            fault=fault,
            hard_deadline=self.hard_deadline,
            heal_time=self._heal_time,
            phases=tuple(self._phases),
            workers=self.workers,
            initial_total=initial_total,
            recovery_deadline=recovery_deadline,
            fault_time=self._fault_time,
            workload=self.workload,
        )
        return History(meta, self.operations)

    def close(self) -> None:
        """Stop the worker threads (idempotent); stuck ones are left to die with the process."""
        self._pool.close(join_timeout=self.hard_deadline)

    def __enter__(self) -> WorkloadDriver:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- in a worker thread ---------------------------------------------------------------

    def _execute(self, job: Job) -> Completion:
        try:
            value = self.strategy.run(job.unit)
        except DefiniteFailure as e:
            return Completion(job, self.now(), error=e, definite=True)
        # Anything else, even a BaseException, may have left the work applied: unknown.
        except BaseException as e:
            return Completion(job, self.now(), error=e)
        return Completion(job, self.now(), value=value)

    # -- in the caller's thread -----------------------------------------------------------

    def _run_phase(
        self,
        phase: Phase,
        pacer: Pacer,
        start: float | None = None,
        *,
        kinds: Mapping[int, Kind] | None = None,
    ) -> list[int]:
        """Drive every usable worker as ``pacer`` says; returns the workers that took part.

        ``kinds`` forces a worker's operations to one kind; the others follow their plan's mix.
        """
        kinds = kinds or {}
        start = self.now() if start is None else start
        reclaim_until = start + self.reclaim_seconds
        pending = self._pool.pending()
        active = [w for w in range(self.workers) if self._pool.usable(w)]
        participants = list(active)
        in_flight: dict[int, Job] = {}
        while True:
            now = self.now()
            if pending and now >= reclaim_until:
                self._pool.lose(pending)
                pending = set()
            wake = reclaim_until if pending else math.inf
            for w in active:
                if w in in_flight:
                    continue
                at = pacer.next_start(w, now)
                if at is not None and at <= now:
                    in_flight[w] = self._submit(w, phase, kinds.get(w), invoke=now)
                elif at is not None:
                    wake = min(wake, at)
            for job in in_flight.values():
                wake = min(wake, job.invoke + self.hard_deadline)
            if wake == math.inf:
                break
            completion = self._receive(wake - now)
            if completion is not None:
                w = completion.job.worker
                if in_flight.get(w) is completion.job:
                    del in_flight[w]
                    pacer.record(self._record(completion))
                elif self._pool.settle_late(completion) and w in pending:
                    pending.discard(w)
                    active.append(w)
                    participants.append(w)
            for w, job in list(in_flight.items()):
                if self.now() - job.invoke >= self.hard_deadline:
                    del in_flight[w]
                    # Out for the rest of this phase even if it returns: only a reclaim window
                    # at a phase start may bring it back, so timing cannot change the cell.
                    active.remove(w)
                    pacer.record(self._abandon(job))
        self._phases.append(PhaseSpan(phase, start, self.now()))
        return participants

    def _submit(
        self, worker: int, phase: Phase, kind: Kind | None, invoke: float | None = None
    ) -> Job:
        """Hand the worker its next operation; ``invoke`` is when the decision was taken."""
        planned = self._plans[worker].next_operation(kind)
        if planned.kind is Kind.TXN:
            assert planned.txn is not None
            unit = self._txn_unit(planned.op_id, planned.txn)
        elif planned.kind is Kind.READ:
            unit = self._read_unit(planned.op_id, self.session, self.objects)
        else:
            assert planned.from_id is not None and planned.to_id is not None
            assert planned.amount is not None
            unit = self._transfer_unit(
                planned.op_id, planned.from_id, planned.to_id, planned.amount
            )
        self._jobs += 1
        job = Job(self._jobs, planned, phase, self.now() if invoke is None else invoke, unit)
        self._pool.submit(job)
        return job

    def _await(self, job: Job) -> Operation:
        """Wait for one job, up to the hard deadline."""
        deadline = job.invoke + self.hard_deadline
        while (remaining := deadline - self.now()) > 0:
            completion = self._receive(remaining)
            if completion is None:
                continue
            if completion.job is job:
                return self._record(completion)
            self._pool.settle_late(completion)
        return self._abandon(job)

    def _receive(self, timeout: float) -> Completion | None:
        """The next completion; a strategy's ``SystemExit`` is raised here, in the cell's thread."""
        completion = self._pool.receive(timeout)
        if completion is not None and isinstance(completion.error, SystemExit):
            exited = one_line(completion.error)
            op_id = completion.job.planned.op_id
            raise StrategyExitError(f"strategy run() exited ({exited}) in {op_id}")
        return completion

    def _reclaim(self, until: float) -> None:
        """Wait (bounded) for the abandoned workers; lose those still stuck at ``until``."""
        pending = self._pool.pending()
        while pending and (remaining := until - self.now()) > 0:
            completion = self._receive(remaining)
            if completion is not None and self._pool.settle_late(completion):
                pending.discard(completion.job.worker)
        self._pool.lose(pending)

    def _abandon(self, job: Job) -> Operation:
        log.info(
            "%s outlived the hard deadline (%.1fs): recorded as hang",
            job.planned.op_id,
            self.hard_deadline,
        )
        self._pool.abandon(job)
        return self._store(job, Result.UNKNOWN, self.now(), error=HANG)

    def _record(self, completion: Completion) -> Operation:
        job, error = completion.job, completion.error
        if error is None:
            total = None
            session = None
            moves_seen = None
            if job.planned.kind is Kind.READ and isinstance(completion.value, Mapping):
                total = sum(int(balance) for balance in completion.value.values())
                session = getattr(completion.value, "session", None)
                moves_seen = getattr(completion.value, "moves_seen", None)
            if job.planned.kind is Kind.TXN:  # the micro-ops with what the reads saw
                return self._store(job, Result.OK, completion.complete, txn=completion.value)
            return self._store(
                job,
                Result.OK,
                completion.complete,
                read_total=total,
                session=session,
                moves_seen=moves_seen,
            )
        result = Result.FAIL if completion.definite else Result.UNKNOWN
        return self._store(
            job, result, completion.complete, error=_describe(error), error_kind=_kind(error)
        )

    def _store(self, job: Job, result: Result, complete: float, **details: Any) -> Operation:
        planned = job.planned
        operation = Operation(
            op_id=planned.op_id,
            worker=planned.worker,
            kind=planned.kind,
            phase=job.phase,
            invoke=job.invoke,
            complete=complete,
            result=result,
            from_id=planned.from_id,
            to_id=planned.to_id,
            amount=planned.amount,
            **{"txn": planned.txn, **details},
        )
        self._operations.append(operation)
        log.debug("%s %s %s", operation.op_id, operation.result, operation.error or "")
        return operation


def _chain(error: BaseException) -> list[BaseException]:
    """The error and what caused it (a DefiniteFailure usually wraps the real disconnect)."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and all(current is not seen for seen in chain) and len(chain) < 5:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def _kind(error: BaseException) -> str | None:
    for exc in _chain(error):
        kind = classify(exc)
        if kind is not None:
            return kind.name
    return None


def _describe(error: BaseException) -> str:
    return " <- ".join(repr(exc) for exc in _chain(error))
