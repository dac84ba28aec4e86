"""When a worker may start its next operation (pure counting, no threads)."""

from __future__ import annotations

from chaos.workload.history import Kind, Operation, Phase, Result
from chaos.workload.pacing import BACKOFF_CAP, BACKOFF_FIRST, FixedCountPacer, UntilRecoveredPacer


def op(worker: int, result: Result, complete: float) -> Operation:
    return Operation(f"w{worker}", worker, Kind.READ, Phase.RECOVERY, complete, complete, result)


def test_fixed_count_stops_each_worker_after_its_count():
    pacer = FixedCountPacer(2)
    for _ in range(2):
        assert pacer.next_start(0, 5.0) == 5.0
        pacer.record(op(0, Result.FAIL, 5.0))
    assert pacer.next_start(0, 5.0) is None
    assert pacer.next_start(1, 5.0) == 5.0


def test_fixed_count_with_spacing_starts_the_kth_operation_k_spacings_into_the_phase():
    pacer = FixedCountPacer(3, spacing=0.5)
    assert pacer.next_start(0, 10.0) == 10.0  # the first question starts the phase
    pacer.record(op(0, Result.UNKNOWN, 10.01))
    assert pacer.next_start(0, 10.01) == 10.5  # a fast failure waits for its turn
    assert pacer.next_start(1, 10.2) == 10.2  # another worker's first is not held back
    pacer.record(op(0, Result.UNKNOWN, 10.9))
    assert pacer.next_start(0, 11.2) == 11.2  # a slow operation is not waited for again
    pacer.record(op(0, Result.OK, 11.3))
    assert pacer.next_start(0, 11.3) is None


def test_until_recovered_stops_a_worker_after_its_success_and_the_extra_operations():
    pacer = UntilRecoveredPacer(stop_at=100.0, after_success=2)
    pacer.record(op(0, Result.OK, 1.0))
    assert pacer.succeeded(0)
    pacer.record(op(0, Result.FAIL, 1.1))
    assert pacer.next_start(0, 1.2) is not None
    pacer.record(op(0, Result.OK, 1.3))
    assert pacer.next_start(0, 1.4) is None


def test_until_recovered_backs_off_exponentially_after_failures_up_to_the_cap():
    pacer = UntilRecoveredPacer(stop_at=100.0, after_success=0)
    starts = []
    for _ in range(8):
        pacer.record(op(0, Result.UNKNOWN, 10.0))
        starts.append(round(pacer.next_start(0, 10.0) - 10.0, 6))
    assert starts[:3] == [BACKOFF_FIRST, 2 * BACKOFF_FIRST, 4 * BACKOFF_FIRST]
    assert starts[-1] == BACKOFF_CAP


def test_until_recovered_starts_nothing_at_or_after_the_deadline():
    pacer = UntilRecoveredPacer(stop_at=10.0, after_success=0)
    assert pacer.next_start(0, 9.99) == 9.99
    assert pacer.next_start(0, 10.0) is None
    pacer.record(op(0, Result.FAIL, 9.995))
    assert pacer.next_start(0, 9.996) is None  # its backoff would end past the deadline
