"""Kernel faults in a soak, against real servers and real nftables: a kernel fault and a server
fault run as one schedule in one namespace; the safe strategy holds every invariant and the
kernel fault's rules struck; naive-global fails and shrinks to the kernel fault; a replay gives
the same verdict; without CAP_NET_ADMIN the schedule skips (exit 3), never passes.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import chaos.runner.soak as soak_runner
from chaos.runner.soak import SoakOutcome, run_soak
from chaos.runner.soak_faults import FaultEvent, ScheduledFaults
from chaos.soak import parse_schedule
from chaos.strategy.registry import strategy_factory
from tests.netns.support import requires_net_admin

#: A kernel fault first, a server fault after it: the shrinker's first candidate is the
#: kernel fault alone.
SCHEDULE = "middlebox-reset@0+1,kill-connection@2+1"
CLI = str(Path(sys.executable).with_name("mysql-chaos"))
SETPRIV = shutil.which("setpriv")


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[list[FaultEvent]]]:
    """Each run's injects and heals, as the soak's own fault phase recorded them."""
    runs: list[list[FaultEvent]] = []
    phase = soak_runner.schedule_fault_phase

    def recording(driver: Any, armed: Any) -> dict[str, Any]:
        try:
            return phase(driver, armed)
        finally:
            assert isinstance(armed.fault, ScheduledFaults)
            runs.append(list(armed.fault.events))

    monkeypatch.setattr(soak_runner, "schedule_fault_phase", recording)
    yield runs


def _soak(strategy: str, shrink_attempts: int = 0) -> SoakOutcome:
    return run_soak(
        strategy,
        strategy_factory(strategy),
        parse_schedule(SCHEDULE),
        shrink_attempts=shrink_attempts,
    )


def _verdict(outcome: SoakOutcome) -> tuple[str, tuple[str, ...]]:
    result = outcome.first.result
    assert result.error is None and result.skipped is None, result
    assert result.check is not None
    return result.verdict, tuple(sorted({v.kind.value for v in result.check.violations}))


@requires_net_admin
def test_safe_holds_every_invariant_and_the_kernel_fault_struck(
    events: list[list[FaultEvent]],
) -> None:
    verdicts = [_verdict(_soak("safe")) for _ in range(2)]
    assert verdicts == [("pass", ())] * 2
    assert len(events) == 2
    for run in events:
        assert [(e.step, e.fault, e.action) for e in run] == [
            (0, "middlebox-reset", "inject"),
            (1, "middlebox-reset", "heal"),
            (2, "kill-connection", "inject"),
            (3, "kill-connection", "heal"),
        ]
        reset = run[0].effect
        assert reset.struck is True and reset.count is not None and reset.count > 0, reset
        assert "reset packets both ways (nftables counters)" in reset.detail


@requires_net_admin
def test_a_broken_strategy_fails_shrinks_to_the_kernel_fault_and_replays_alike() -> None:
    outcomes = [_soak("naive-global", shrink_attempts=5) for _ in range(2)]
    for outcome in outcomes:
        assert outcome.failed, outcome.first.result
        assert outcome.smallest is not None and outcome.smallest.failed
        assert outcome.smallest.schedule.spec() == "middlebox-reset@0+1"
        assert "not-recovered" in _verdict(outcome)[1]
    assert _verdict(outcomes[0]) == _verdict(outcomes[1])


@pytest.mark.skipif(SETPRIV is None, reason="needs util-linux setpriv")
def test_without_net_admin_a_kernel_schedule_skips_with_the_reason() -> None:
    assert SETPRIV is not None
    dropped = [SETPRIV, "--inh-caps=-net_admin", "--bounding-set=-net_admin"]
    result = subprocess.run(
        [*dropped, CLI, "soak", "safe", "--schedule", SCHEDULE],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 3, result.stdout + result.stderr
    assert "the schedule cannot run here: needs CAP_NET_ADMIN" in result.stdout
    assert "every invariant held" not in result.stdout
