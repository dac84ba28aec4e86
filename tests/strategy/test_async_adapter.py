"""An async strategy behind the sync contract: one event loop, outcomes carried out unchanged."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from chaos.errors import UsageError
from chaos.settings import ConnectionSettings
from chaos.strategy import (
    AsyncStrategyAdapter,
    AsyncUnitOfWork,
    DefiniteFailure,
    StrategyConfig,
    UnitOfWork,
    build_strategy,
    is_async_strategy,
)
from chaos.workload.driver import WorkloadDriver

CONFIG = StrategyConfig(connection=ConnectionSettings())


class RecordingAsyncStrategy:
    """Runs each unit's body with a fake connection; records the loop each run ran on."""

    def __init__(self, config: StrategyConfig) -> None:
        self.loops: set[int] = set()
        self.closed = False

    async def run(self, unit: AsyncUnitOfWork) -> Any:
        self.loops.add(id(asyncio.get_running_loop()))
        return await unit.body("a connection")

    async def close(self) -> None:
        self.closed = True


def _unit(body: Any, op_id: str = "w0-1") -> AsyncUnitOfWork:
    return AsyncUnitOfWork(op_id=op_id, body=body)


async def _echo(conn: Any) -> Any:
    return conn


def test_build_strategy_puts_an_async_strategy_behind_the_adapter() -> None:
    strategy = build_strategy(RecordingAsyncStrategy, CONFIG)
    try:
        assert isinstance(strategy, AsyncStrategyAdapter)
        assert is_async_strategy(strategy.strategy) and not is_async_strategy(strategy)
        assert strategy.run(_unit(_echo)) == "a connection"
    finally:
        strategy.close()
    assert strategy.strategy.closed


def test_every_worker_thread_runs_its_units_on_the_one_loop_of_the_strategy() -> None:
    with build_strategy(RecordingAsyncStrategy, CONFIG) as strategy:
        threads = [
            threading.Thread(target=strategy.run, args=(_unit(_echo, f"w{n}-1"),)) for n in range(4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(strategy.strategy.loops) == 1


def test_a_definite_failure_and_any_other_error_reach_the_caller_as_raised() -> None:
    async def refuse(conn: Any) -> None:
        raise DefiniteFailure("not applied")

    async def lose(conn: Any) -> None:
        raise ConnectionResetError(104, "reset")

    with build_strategy(RecordingAsyncStrategy, CONFIG) as strategy:
        with pytest.raises(DefiniteFailure, match="not applied"):
            strategy.run(_unit(refuse))
        with pytest.raises(ConnectionResetError):
            strategy.run(_unit(lose))


def test_a_strategy_that_exits_raises_system_exit_in_the_worker_and_the_loop_lives_on() -> None:
    async def leave(conn: Any) -> None:
        raise SystemExit(0)

    with build_strategy(RecordingAsyncStrategy, CONFIG) as strategy:
        with pytest.raises(SystemExit):
            strategy.run(_unit(leave))
        assert strategy.run(_unit(_echo)) == "a connection"


def test_a_sync_unit_given_to_an_async_strategy_is_refused_by_name() -> None:
    with build_strategy(RecordingAsyncStrategy, CONFIG) as strategy:
        with pytest.raises(TypeError, match="AsyncUnitOfWork, not UnitOfWork"):
            strategy.run(UnitOfWork(op_id="w0-1", body=lambda conn: None))


def test_close_cancels_a_unit_that_never_ends_so_its_worker_returns() -> None:
    async def forever(conn: Any) -> None:
        await asyncio.Event().wait()

    strategy = build_strategy(RecordingAsyncStrategy, CONFIG)
    outcome: list[BaseException] = []

    def worker() -> None:
        try:
            strategy.run(_unit(forever))
        except BaseException as e:
            outcome.append(e)

    thread = threading.Thread(target=worker)
    thread.start()
    strategy.close()
    thread.join(timeout=30)
    assert not thread.is_alive() and outcome, "the hung unit's worker was not released"
    assert strategy.strategy.closed


def test_the_driver_refuses_an_async_strategy_not_behind_its_adapter() -> None:
    with pytest.raises(TypeError, match="AsyncStrategyAdapter"):
        WorkloadDriver(RecordingAsyncStrategy(CONFIG))  # type: ignore[arg-type]


def test_an_async_strategy_whose_factory_fails_is_one_usage_error() -> None:
    def factory(config: StrategyConfig) -> Any:
        raise ImportError("aiomysql-safe needs aiomysql: pip install 'mysql-chaos[async]'")

    with pytest.raises(UsageError, match=r"needs aiomysql: pip install 'mysql-chaos\[async\]'"):
        build_strategy(factory, CONFIG)
