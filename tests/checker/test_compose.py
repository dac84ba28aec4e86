"""One checker protocol: checkers compose, the named compositions list their members, and a
checker that raises is an ``unknown`` violation naming it, never an exception out of the check."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pytest

from chaos.checker import (
    APP_CHECKS,
    BANK_CHECKS,
    CHECK_APP_CHECKS,
    HTTP_CHECKS,
    CheckContext,
    Violation,
    ViolationKind,
    compose,
)
from chaos.checker.hang import HangChecker
from chaos.verdicts.vocabulary import verdict_words
from chaos.workload.history import HANG, History
from chaos.workload.state import AccountState, BankState

from .builders import MemoryBank, found, history, judge, transfer
from .conftest import INITIAL_TOTAL

CONTEXT = CheckContext(5.0, initial_total=INITIAL_TOTAL)


@dataclass(frozen=True)
class BrokenChecker:
    """A checker with a bug: it raises on any history."""

    name: ClassVar[str] = "broken"

    def check(
        self, history: History, state: BankState | None, context: CheckContext
    ) -> list[Violation]:
        raise KeyError("w0-1")


@dataclass(frozen=True)
class CountingChecker:
    """Says one violation per call and remembers that it was called."""

    name: str
    calls: list[str]

    def check(
        self, history: History, state: BankState | None, context: CheckContext
    ) -> list[Violation]:
        self.calls.append(self.name)
        return [Violation(ViolationKind.PARTIAL, (), f"seen by {self.name}")]


def test_a_checker_that_raises_is_an_unknown_violation_naming_it_and_the_exception() -> None:
    hung = history(transfer("w0-1", "unknown", invoke=1.0, complete=9.0, error=HANG))
    violations = compose("with-a-bug", BrokenChecker(), HangChecker()).check(hung, None, CONTEXT)
    assert [(v.kind, v.detail) for v in violations] == [
        (ViolationKind.UNKNOWN, "checker broken raised KeyError: 'w0-1'"),
        (ViolationKind.HANG, violations[1].detail),
    ]
    assert "\n" not in violations[0].detail


def test_compose_runs_every_checker_in_turn_even_after_one_raised() -> None:
    calls: list[str] = []
    composed = compose(
        "three", CountingChecker("a", calls), BrokenChecker(), CountingChecker("b", calls)
    )
    result = composed.judge(history(), MemoryBank().state(), CONTEXT)
    assert calls == ["a", "b"]
    assert [v.detail for v in result.violations] == [
        "seen by a",
        "seen by b",
        "checker broken raised KeyError: 'w0-1'",
    ]
    assert verdict_words(v.kind for v in result.violations) == "partial+unknown"


def test_a_composition_is_a_checker_and_composes_again() -> None:
    calls: list[str] = []
    inner = compose("inner", CountingChecker("a", calls), BrokenChecker())
    outer = compose("outer", inner, CountingChecker("b", calls))
    assert outer.member_names == ("inner", "b")
    kinds = [v.kind for v in outer.check(history(), None, CONTEXT)]
    assert (calls, kinds) == (["a", "b"], ["partial", "unknown", "partial"])


def test_a_checker_listed_twice_is_a_mistake() -> None:
    with pytest.raises(ValueError, match="composition twice lists hang twice"):
        compose("twice", HangChecker(), HangChecker())


def test_the_named_compositions_list_their_members() -> None:
    assert BANK_CHECKS.name == "check"
    assert BANK_CHECKS.member_names == (
        "atomic",
        "duplicate",
        "outcomes",
        "recovery",
        "hang",
        "connect-storm",
        "fault-losses",
        "exercised",
        "drift",
        "stale-read",
    )
    assert APP_CHECKS.member_names == (*BANK_CHECKS.member_names, "settled")
    http = ("recovery", "hang", "connect-storm", "settled", "exercised")
    assert HTTP_CHECKS.member_names == http
    assert CHECK_APP_CHECKS.member_names == (*http, "db-check")


def test_a_state_the_bank_checkers_cannot_read_gives_unknowns_not_an_exception() -> None:
    """``check`` (the in-process cell's composition) on a corrupted ``moves`` column: the three
    checkers that read it say ``unknown``; recovery and hangs are still judged."""
    bank = MemoryBank()
    bank.transfer("w0-1")
    good = bank.state()
    corrupted = BankState((AccountState(1, 995, "garbage"), *good.accounts[1:]), ledger=good.ledger)
    hung = transfer("w0-2", "unknown", invoke=1.0, complete=9.0, error=HANG)
    result = judge(corrupted, history(transfer("w0-1", "ok"), hung))
    assert found(result) == [
        ("hang", ("w0-2",)),
        ("unknown", ()),
        ("unknown", ()),
        ("unknown", ()),
    ]
    details = [v.detail for v in result.of_kind(ViolationKind.UNKNOWN)]
    assert [d.split(" raised ")[0] for d in details] == [
        "checker atomic",
        "checker duplicate",
        "checker outcomes",
    ]
    assert all("ValueError: moves do not end with" in d for d in details)


def test_the_bank_checkers_without_a_bank_say_unknown_with_the_reason() -> None:
    result = APP_CHECKS.judge(history(), None, CheckContext(5.0))
    assert [v.detail for v in result.violations] == [
        f"checker {name} raised ValueError: {name} judges the bank's final state and the run "
        "has none"
        for name in ("atomic", "duplicate", "outcomes")
    ]


def test_unknown_has_its_own_word_and_meaning() -> None:
    assert verdict_words(["unknown"]) == ViolationKind.UNKNOWN.short == "unknown"
    assert "checker raised" in ViolationKind.UNKNOWN.meaning
