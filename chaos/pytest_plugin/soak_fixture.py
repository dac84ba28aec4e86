"""What the ``mysql_chaos_soak`` fixture gives a test: seeded fault schedules against a strategy.

``mysql_chaos_soak.run("safe")`` draws a schedule from the session's seed (``--mysql-chaos-seed``,
else a random one), runs it against the strategy and, when an invariant is violated, shrinks it;
``mysql_chaos_soak.check(...)`` does the same and fails the test with the smallest failing
schedule, its timeline and the command lines that replay it.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from chaos.runner.environment import Backend
    from chaos.runner.soak import SoakOutcome
    from chaos.strategy import StrategyFactory


class SoakFixture:
    """Soaks of one test, all drawn from :attr:`seed`."""

    def __init__(self, seed: int, backend: Backend, toxiproxy: Any = None) -> None:
        self.seed = seed
        self.backend = backend
        self._toxiproxy = toxiproxy

    def run(
        self,
        strategy: str | StrategyFactory,
        *,
        faults: int = 3,
        pool: Sequence[str] = (),
        statement_chance: float = 0.0,
        kernel: bool = False,
        schedule: str | None = None,
        shrink_attempts: int = 10,
        duration: float = 300.0,
    ) -> SoakOutcome:
        """Run one soak: ``faults`` faults of ``pool`` (default: every fault that shares one
        world) drawn from :attr:`seed`, with ``statement_chance`` (a probability per write
        statement, see ``mysql-chaos soak --statement-chance``), from the kernel faults' world
        with ``kernel`` (as ``--kernel``), or the printed ``schedule``."""
        from chaos.runner.soak import run_soak
        from chaos.soak import generate_schedule, parse_schedule, soak_fault_names
        from chaos.strategy.loading import factory_name
        from chaos.strategy.registry import strategy_factory

        if isinstance(strategy, str):
            name, factory = strategy, strategy_factory(strategy)
        else:
            name, factory = factory_name(strategy), strategy
        plan = (
            parse_schedule(schedule)
            if schedule is not None
            else generate_schedule(
                self.seed, soak_fault_names(pool, kernel=kernel), faults, statement_chance
            )
        )
        return run_soak(
            name,
            factory,
            plan,
            backend=self.backend,
            shrink_attempts=shrink_attempts,
            duration=duration,
            toxiproxy=self._toxiproxy,
        )

    def check(self, strategy: str | StrategyFactory, **kwargs: Any) -> SoakOutcome:
        """:meth:`run`, failing the test when an invariant was violated (or nothing ran)."""
        outcome = self.run(strategy, **kwargs)
        first = outcome.first.result
        if first.error is not None or first.skipped is not None:
            pytest.fail(f"the soak could not run: {first.error or first.skipped}", pytrace=False)
        if outcome.failed:
            pytest.fail("\n".join(self.describe(outcome)), pytrace=False)
        return outcome

    def describe(self, outcome: SoakOutcome) -> list[str]:
        """The failing schedule, the smallest one found, and how to replay each."""
        smallest = outcome.smallest or outcome.first
        lines = [
            f"soak with seed {self.seed}: {outcome.first.result.verdict} under "
            f"{outcome.first.schedule.spec()}",
            f"replay: pytest --mysql-chaos-seed {self.seed}",
            f"smallest failing schedule ({smallest.result.verdict}):",
            *(f"  {line}" for line in smallest.schedule.timeline()),
        ]
        for violation in smallest.result.check.violations if smallest.result.check else ():
            lines.append(f"  {violation.kind}: {violation.detail}")
        command = ["mysql-chaos", "soak", outcome.first.result.strategy]
        schedule = ["--schedule", smallest.schedule.spec(), *self.backend.command_args()]
        lines.append("replay it: " + shlex.join([*command, *schedule]))
        return lines
