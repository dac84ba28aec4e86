"""Users' strategies by import path: every bad input is one clear line, never a traceback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from mysql_chaos_apps.strategies.safe import SafeStrategy

from chaos.errors import UsageError
from chaos.settings import ConnectionSettings
from chaos.strategy import StrategyConfig
from chaos.strategy.loading import build_strategy, load_factory

CONFIG = StrategyConfig(connection=ConnectionSettings())


@pytest.fixture
def broken_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    source = "raise RuntimeError('boom\\nsecond line')\n"
    (tmp_path / "mchaos_broken_strategy.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    return "mchaos_broken_strategy"


def one_line_usage_error(call: Any, *args: Any) -> str:
    with pytest.raises(UsageError) as caught:
        call(*args)
    message = str(caught.value)
    assert message and "\n" not in message
    return message


def test_load_factory_returns_the_named_callable() -> None:
    assert load_factory("mysql_chaos_apps.strategies.safe:SafeStrategy") is SafeStrategy
    assert load_factory("mysql_chaos_apps.strategies:BUNDLED.get") is not None


@pytest.mark.parametrize(
    ("spec", "mentions"),
    [
        ("mysql_chaos_apps.strategies.safe", "module:factory"),
        (":SafeStrategy", "module:factory"),
        ("mchaos_no_such_module_x:factory", "No module named"),
        ("mysql_chaos_apps.strategies.safe:NoSuchFactory", "no attribute 'NoSuchFactory'"),
        ("mysql_chaos_apps.strategies.safe:DEFAULTS", "not a factory"),
    ],
)
def test_load_factory_rejects_bad_specs_with_one_line(spec: str, mentions: str) -> None:
    assert mentions in one_line_usage_error(load_factory, spec)


def test_load_factory_reports_a_module_that_raises_on_import_in_one_line(
    broken_module: str,
) -> None:
    message = one_line_usage_error(load_factory, f"{broken_module}:factory")
    assert "RuntimeError: boom second line" in message


def test_build_strategy_reports_a_factory_that_raises_in_one_line() -> None:
    def factory(config: StrategyConfig) -> Any:
        raise ValueError("cannot\nbuild")

    assert "ValueError: cannot build" in one_line_usage_error(build_strategy, factory, CONFIG)


class _RunOnly:
    def run(self, unit: Any) -> None: ...

    close = "not callable"


@pytest.mark.parametrize(
    ("product", "missing"),
    [(object(), "run and close"), (_RunOnly(), "close")],
)
def test_build_strategy_rejects_objects_without_run_and_close(product: Any, missing: str) -> None:
    message = one_line_usage_error(build_strategy, lambda config: product, CONFIG)
    assert message.endswith(f"without a callable {missing}")


def test_build_strategy_returns_what_the_factory_made() -> None:
    made = _RunOnly()
    made.close = lambda: None  # type: ignore[assignment]
    assert build_strategy(lambda config: made, CONFIG) is made
