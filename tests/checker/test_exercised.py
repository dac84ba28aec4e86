"""``unexercised``: a cell whose fault says it struck nothing tested nothing, whatever else held;
a fault that cannot tell is not judged (unknown is not false)."""

from __future__ import annotations

import pytest

from chaos.checker import BANK_CHECKS, CHECK_APP_CHECKS, CheckContext
from chaos.checker.exercised import ExercisedChecker
from chaos.fault_effect import FaultEffect, combined
from chaos.workload.history import History

from .builders import history, transfer

KILLED_NONE = FaultEffect(False, 0, "killed 0 client sessions")
NOTHING_TO_REPAIR = FaultEffect(detail="nothing to repair")
ADDED = FaultEffect(detail="mysql_cut added on the upstream")


def judged(inject: FaultEffect | None, heal: FaultEffect | None) -> History:
    return history(transfer("w0-1", "ok")).with_meta(inject_effect=inject, heal_effect=heal)


def check_exercised(run: History) -> list[str]:
    return [v.detail for v in ExercisedChecker().check(run, None, CheckContext(3.0))]


def test_a_fault_that_struck_nothing_is_unexercised_with_its_own_words() -> None:
    (detail,) = check_exercised(judged(KILLED_NONE, NOTHING_TO_REPAIR))
    assert detail.startswith("fault written never struck the code under test: killed 0 client")


def test_strikes_counted_on_heal_count_whatever_inject_said() -> None:
    struck = FaultEffect.counted(2, "mysql_cut removed")
    assert check_exercised(judged(ADDED, struck)) == []
    (detail,) = check_exercised(judged(ADDED, FaultEffect.counted(0, "mysql_cut removed")))
    assert "mysql_cut removed: struck 0 times" in detail


@pytest.mark.parametrize(
    ("inject", "heal"),
    [(ADDED, NOTHING_TO_REPAIR), (None, None), (FaultEffect(), FaultEffect())],
    ids=["not-counted", "not-recorded", "unknown"],
)
def test_a_fault_that_cannot_tell_is_not_unexercised(inject, heal) -> None:
    assert check_exercised(judged(inject, heal)) == []


def test_combined_adds_known_counts_and_lets_a_strike_win() -> None:
    both = combined(FaultEffect.counted(3, "a"), FaultEffect(False, 0, "b"))
    assert both is not None and (both.struck, both.count) == (True, 3)
    assert both.detail == "a: struck 3 times; b: struck 0 times"
    quiet = combined(FaultEffect.counted(0, "killed 0"), FaultEffect(detail="nothing to repair"))
    assert quiet is not None and quiet.detail == "killed 0: struck 0 times"
    assert combined(None, None) is None
    unknown = combined(FaultEffect(detail="x"), None)
    assert unknown is not None and (unknown.struck, unknown.count) == (None, None)


@pytest.mark.parametrize("composition", [BANK_CHECKS, CHECK_APP_CHECKS], ids=lambda c: c.name)
def test_every_composition_a_command_runs_judges_it(composition) -> None:
    run = judged(KILLED_NONE, NOTHING_TO_REPAIR)
    state = None
    if composition is BANK_CHECKS:
        from .builders import MemoryBank

        bank = MemoryBank()
        bank.transfer("w0-1")
        state = bank.state()
    context = CheckContext(3.0, initial_total=state.total if state else None)
    kinds = {v.kind for v in composition.check(run, state, context)}
    assert "unexercised" in kinds
