"""Strategies and apps are found through entry points: the bundled ones and another package's."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from chaos.errors import UnknownNameError
from chaos.strategy import strategies, strategy_factory, wsgi_apps
from chaos.strategy.loading import load_factory

#: The order the README's tables and the reports list the bundled strategies in.
BUNDLED_ORDER = [
    "naive-global",
    "cursor-retry",
    "per-request",
    "ping-reconnect",
    "dbutils-persistent",
    "dbutils-pooled",
    "sqlalchemy-recycle",
    "sqlalchemy-pre-ping",
    "timer-recycle",
    "tenacity-statement",
    "tenacity-transaction",
    "safe",
    "read-split",
    "read-split-gtid",
    "naive-global-mysqlclient",
    "safe-mysqlclient",
    "naive-global-connector-pure",
    "safe-connector-pure",
    "naive-global-connector-c",
    "safe-connector-c",
    "sqlalchemy-pre-ping-mysqlclient",
    "sqlalchemy-pre-ping-connector-c",
    "sqlalchemy-async-pre-ping",
    "aiomysql-safe",
    "asyncmy-safe",
]


def test_bundled_strategies_are_registered_in_report_order() -> None:
    assert strategies().names() == BUNDLED_ORDER


def test_every_registered_factory_is_named_as_registered() -> None:
    for name, factory in strategies().items():
        assert getattr(factory, "name", None) == name


def test_a_name_or_a_module_factory_spec_resolves() -> None:
    assert strategy_factory("safe") is strategies().get("safe")
    spec = "mysql_chaos_apps.strategies.safe:SafeStrategy"
    assert strategy_factory(spec) is load_factory(spec)
    with pytest.raises(UnknownNameError, match="valid names: naive-global"):
        strategy_factory("no-such-strategy")


def test_the_seed_app_is_registered_by_its_wsgi_spec() -> None:
    assert wsgi_apps().get("seed") == "mysql_chaos_apps.wsgi:app"


def _package_with_entry_points(root: Path, entry_points: str) -> dict[str, str]:
    """A tiny installed distribution on ``root`` (source and dist-info), and the environment
    that puts it on the path."""
    (root / "mchaos_other_pkg.py").write_text(
        textwrap.dedent(
            """
            from chaos.strategy import BaseStrategy

            class OtherStrategy(BaseStrategy):
                name = "other"
                def run(self, unit):
                    raise NotImplementedError
            """
        )
    )
    info = root / "mchaos_other_pkg-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: mchaos-other-pkg\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(entry_points)
    return {**os.environ, "PYTHONPATH": str(root)}


def _names_in(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    code = "from chaos.strategy import strategies; print(' '.join(strategies().names()))"
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )


def test_another_package_adds_its_strategy_after_the_bundled_ones(tmp_path: Path) -> None:
    env = _package_with_entry_points(
        tmp_path, "[mysql_chaos.strategies]\nother = mchaos_other_pkg:OtherStrategy\n"
    )
    run = _names_in(env)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == [*BUNDLED_ORDER, "other"]


def test_a_name_registered_twice_is_one_clear_error(tmp_path: Path) -> None:
    env = _package_with_entry_points(
        tmp_path, "[mysql_chaos.strategies]\nsafe = mchaos_other_pkg:OtherStrategy\n"
    )
    run = _names_in(env)
    assert run.returncode != 0
    assert "strategy 'safe' is registered twice" in run.stderr


def test_an_entry_point_that_is_no_factory_is_refused(tmp_path: Path) -> None:
    env = _package_with_entry_points(
        tmp_path, "[mysql_chaos.strategies]\nbroken = mchaos_other_pkg:__doc__\n"
    )
    run = _names_in(env)
    assert run.returncode != 0
    assert "mchaos_other_pkg:__doc__ is not a strategy factory" in run.stderr
