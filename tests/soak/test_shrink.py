"""The shrinker finds the fewest faults at the earliest steps that still fail, within its bounds."""

from __future__ import annotations

from chaos.soak import Schedule, generate_schedule, parse_schedule, shrink, soak_fault_names

POOL = soak_fault_names()


def _fails_with(*culprits: str):
    def fails(schedule: Schedule) -> bool:
        return all(any(e.fault == c for e in schedule.faults) for c in culprits)

    return fails


def test_one_culprit_shrinks_to_it_alone_at_step_zero() -> None:
    schedule = parse_schedule("reset-peer@1+2,server-restart@3+1,deadlock@5+2,kill-connection@6+1")
    outcome = shrink(schedule, _fails_with("deadlock"), attempts=50)
    assert outcome.schedule.spec() == "deadlock@0+1"
    assert not outcome.exhausted


def test_two_culprits_shrink_to_both_at_their_earliest() -> None:
    schedule = parse_schedule("reset-peer@1+2,server-restart@3+1,deadlock@5+2,kill-connection@6+1")
    outcome = shrink(schedule, _fails_with("server-restart", "kill-connection"), attempts=50)
    assert {e.fault for e in outcome.schedule.faults} == {"server-restart", "kill-connection"}
    assert all(e.start == 0 for e in outcome.schedule.faults)  # they can coexist
    assert all(e.length == 1 for e in outcome.schedule.faults)


def test_the_shrunk_schedule_still_fails_and_is_valid() -> None:
    for seed in range(30):
        schedule = generate_schedule(seed, POOL, 5)
        culprits = [schedule.faults[0].fault, schedule.faults[-1].fault]
        outcome = shrink(schedule, _fails_with(*culprits), attempts=100)
        assert _fails_with(*culprits)(outcome.schedule)
        assert outcome.schedule.valid()
        assert len(outcome.schedule) == 2


def test_a_failure_that_needs_an_overlap_keeps_it() -> None:
    def fails(schedule: Schedule) -> bool:
        entries = schedule.faults
        return any(a.overlaps(b) for i, a in enumerate(entries) for b in entries[i + 1 :])

    schedule = parse_schedule("reset-peer@2+2,server-restart@3+1,deadlock@6+1")
    outcome = shrink(schedule, fails, attempts=100)
    assert len(outcome.schedule) == 2
    assert fails(outcome.schedule)


def test_the_attempt_bound_stops_it_with_what_it_found() -> None:
    schedule = parse_schedule("reset-peer@1+2,server-restart@3+1,deadlock@5+2")
    outcome = shrink(schedule, _fails_with("deadlock", "reset-peer"), attempts=2)
    assert outcome.attempts == 2
    assert outcome.exhausted
    assert _fails_with("deadlock", "reset-peer")(outcome.schedule)


def test_the_deadline_stops_it_before_any_run() -> None:
    schedule = parse_schedule("reset-peer@1+2,deadlock@5+2")
    outcome = shrink(
        schedule, _fails_with("deadlock"), attempts=10, deadline=0.0, clock=lambda: 1.0
    )
    assert outcome.attempts == 0
    assert outcome.schedule == schedule
    assert outcome.exhausted
