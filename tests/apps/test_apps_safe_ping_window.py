"""The safe strategy's checkout ping is skipped for a connection used within its window; a
connection lost inside the window is caught by the unit's first statement and retried."""

from __future__ import annotations

from dataclasses import replace

from apps_testkit import AdminSession, InsertUnits
from mysql_chaos_apps.strategies.safe import SafeStrategy

from chaos.strategy import StrategyConfig


def with_window(config: StrategyConfig, seconds: float) -> StrategyConfig:
    return replace(config, extra={**config.extra, "ping_idle_seconds": seconds})


def test_within_the_window_no_ping_a_kill_meanwhile_costs_one_retried_body(
    config: StrategyConfig, admin: AdminSession, units: InsertUnits
) -> None:
    with SafeStrategy(with_window(config, 3600.0)) as strategy:
        strategy.run(units.insert(1))
        assert admin.kill_all()  # the thread's connection dies between units
        assert strategy.run(units.insert(2)) == (2,)
    # No ping noticed the kill: the second unit's body met the dead connection, then ran again.
    assert units.body_calls == 3
    assert admin.item_ids() == [1, 2]


def test_past_the_window_the_checkout_ping_replaces_a_dead_connection(
    config: StrategyConfig, admin: AdminSession, units: InsertUnits
) -> None:
    with SafeStrategy(with_window(config, 0.0)) as strategy:
        strategy.run(units.insert(1))
        assert admin.kill_all()
        assert strategy.run(units.insert(2)) == (2,)
    assert units.body_calls == 2
    assert admin.item_ids() == [1, 2]


def test_the_window_stays_well_below_the_scaled_wait_timeout(config: StrategyConfig) -> None:
    scaled = replace(config, idle_seconds=2.0)
    with SafeStrategy(with_window(scaled, 3600.0)) as strategy:
        assert strategy.ping_idle_seconds == 0.5
