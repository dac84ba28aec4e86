"""The driver runs an async strategy as it runs a sync one: same operations, same history."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from chaos.checker import check
from chaos.strategy import StrategyConfig, build_strategy
from chaos.workload.bank import read_state
from chaos.workload.driver import WorkloadDriver
from chaos.workload.history import Kind, Phase, Result

from .async_strategies import LyingAiomysqlStrategy, PerUnitAiomysqlStrategy
from .conftest import INITIAL_TOTAL

pytest.importorskip("aiomysql", reason="the async extra is not installed (mysql-chaos[async])")


@pytest.fixture
def driver_for(bank) -> Iterator[Callable[[type], WorkloadDriver]]:
    made = []

    def make(factory: type) -> WorkloadDriver:
        strategy = build_strategy(factory, StrategyConfig(connection=bank))
        driver = WorkloadDriver(strategy, workers=4, hard_deadline=10.0)
        made.append((strategy, driver))
        return driver

    yield make
    for strategy, driver in made:
        driver.close()
        strategy.close()


def test_an_async_strategy_applies_every_transfer_and_the_checker_finds_nothing(bank, driver_for):
    driver = driver_for(PerUnitAiomysqlStrategy)
    driver.run_concurrently(3, Phase.WARMUP)
    history = driver.history("per-unit-aiomysql", "none")
    assert [op.result for op in history.operations] == [Result.OK] * 12
    reads = [op for op in history.operations if op.kind is Kind.READ]
    assert all(op.read_total == INITIAL_TOTAL for op in reads)
    state = read_state(bank)
    transfers = {op.op_id for op in history.operations if op.kind is Kind.TRANSFER}
    assert transfers and {row.op_id for row in state.ledger} == transfers
    result = check(history, state, initial_total=INITIAL_TOTAL, recovery_deadline=1.0)
    assert result.violations == ()


def test_an_async_definite_failure_is_a_fail_and_its_lie_is_caught(bank, driver_for):
    driver = driver_for(LyingAiomysqlStrategy)
    driver.run_one_at_a_time(3, Phase.WARMUP)
    results = {op.op_id: op.result for op in driver.operations}
    assert results == {"w0-1": Result.OK, "w0-2": Result.FAIL, "w0-3": Result.OK}
    result = check(
        driver.history("liar", "none"),
        read_state(bank),
        initial_total=INITIAL_TOTAL,
        recovery_deadline=1.0,
    )
    assert [(v.kind, v.op_ids) for v in result.violations] == [("false-failure", ("w0-2",))]
