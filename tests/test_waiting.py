"""The one wait helper: answers, transient errors, other errors, the deadline (on a fake clock)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from chaos.waiting import WaitTimeout, wait_for, wait_until


class FakeClock:
    """A clock that moves only when the helper sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def answers_after(calls: int, answer: object = "ready") -> Callable[[], object]:
    count = 0

    def probe() -> object:
        nonlocal count
        count += 1
        return answer if count > calls else None

    return probe


def test_returns_the_first_true_answer_without_sleeping_once_it_comes() -> None:
    clock = FakeClock()
    assert wait_for(answers_after(3), 10, poll=1, clock=clock, sleep=clock.sleep) == "ready"
    assert clock.sleeps == [1, 1, 1]


def test_a_transient_error_means_not_yet_and_is_chained_to_the_timeout() -> None:
    clock = FakeClock()

    def refused() -> bool:
        raise ConnectionRefusedError("not listening yet")

    with pytest.raises(WaitTimeout) as caught:
        wait_for(refused, 2, transient=(OSError,), poll=1, clock=clock, sleep=clock.sleep)
    assert isinstance(caught.value.__cause__, ConnectionRefusedError)
    assert clock.now == 3  # tried at 0, 1, 2 and once past the deadline


def test_any_other_error_ends_the_wait_at_once() -> None:
    clock = FakeClock()

    def died() -> bool:
        raise RuntimeError("the process exited")

    with pytest.raises(RuntimeError, match="exited"):
        wait_for(died, 10, transient=(OSError,), clock=clock, sleep=clock.sleep)
    assert clock.sleeps == []


def test_the_probe_runs_once_even_with_no_time_left() -> None:
    clock = FakeClock()
    assert wait_for(lambda: 42, 0, clock=clock, sleep=clock.sleep) == 42


def test_wait_until_answers_true_or_false_where_wait_for_answers_or_times_out() -> None:
    assert wait_until(lambda: True, 0.0)
    assert not wait_until(lambda: False, -1.0)  # a deadline already past: one try, no sleep
