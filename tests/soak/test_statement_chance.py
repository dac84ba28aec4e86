"""The soak's per-statement chance against real servers: the seed decides which statements of the
workload meet a cut, so a run replays with the same cuts, and a strategy that never reconnects
is caught by it alone."""

from __future__ import annotations

from chaos.runner.soak import SoakOutcome, run_soak
from chaos.soak import parse_schedule
from chaos.strategy.registry import strategy_factory

CHANCE = "chance:0.3:5@0+6"


def _soak(strategy: str, spec: str) -> SoakOutcome:
    return run_soak(strategy, strategy_factory(strategy), parse_schedule(spec), shrink_attempts=0)


def _cut_operations(outcome: SoakOutcome) -> list[tuple[str, str, str | None]]:
    timeline = outcome.first.result.timeline
    assert timeline is not None
    return sorted((op.op_id, op.result.value, op.error_kind) for op in timeline.operations)


def test_a_retrying_strategy_passes_and_a_replay_meets_the_same_cuts() -> None:
    first, again = _soak("safe", CHANCE), _soak("safe", CHANCE)
    for outcome in (first, again):
        assert outcome.first.result.verdict == "pass", outcome.first.result.check
        strike = outcome.first.result.strike
        assert strike is not None and strike.count is not None and strike.count > 0
    assert first.first.result.strike == again.first.result.strike  # as many cuts
    assert _cut_operations(first) == _cut_operations(again)  # on the same operations


def test_a_strategy_that_never_reconnects_fails_under_the_chance_alone() -> None:
    outcome = _soak("naive-global", CHANCE)
    assert outcome.failed
    kinds = {v.kind.value for v in outcome.first.result.check.violations}
    assert "not-recovered" in kinds, kinds
