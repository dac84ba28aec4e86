"""A user's strategy as the gate runs it: settings passed in, and one build before any cell.

``--option key=value`` lands in ``StrategyConfig.extra`` of every cell. A factory that cannot
build a strategy would otherwise fail only inside the first cell, seconds into the run; the
probe builds it once against a throw-away server of the run's kind first and closes it again.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from chaos.errors import UsageError, one_line
from chaos.runner.environment import Backend
from chaos.runner.timing import CellTiming
from chaos.settings import ConnectionSettings
from chaos.strategy import Strategy, StrategyConfig, StrategyFactory, build_strategy
from chaos.strategy.loading import factory_name, load_factory
from chaos.strategy.registry import bundled_strategies, strategies


def parse_option(text: str) -> tuple[str, Any]:
    """``key=value``; the value is read as JSON when it is JSON (``16``, ``true``, ``0.5``,
    ``"x"``), else kept as the string given."""
    key, sep, raw = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise UsageError(f"--option must look like key=value, got {text!r}")
    try:
        value: Any = json.loads(raw)
    except ValueError:
        value = raw
    return key, value


class ConfiguredFactory:
    """``factory`` with ``options`` added to the ``extra`` of every config it is given."""

    def __init__(self, factory: StrategyFactory, options: Mapping[str, Any]) -> None:
        self.factory = factory
        self.options = dict(options)
        self.__qualname__ = factory_name(factory)

    def __call__(self, config: StrategyConfig) -> Strategy:
        return self.factory(replace(config, extra={**config.extra, **self.options}))


def with_options(factory: StrategyFactory, options: Mapping[str, Any]) -> StrategyFactory:
    return ConfiguredFactory(factory, options) if options else factory


def probe_factory(factory: StrategyFactory, backend: Backend, config: StrategyConfig) -> None:
    """Build and close one strategy against a throw-away server; a failure is a UsageError.

    The server is the run's external one when it has one, else a disposable local server
    (containers take a second to start; the factory does not care which server it meets).
    """
    # Imported here: the servers are only needed once a run really starts.
    from chaos.servers.external import ExternalServer
    from chaos.servers.local import LocalServer

    if backend.external_url:
        settings = ExternalServer.from_url(backend.external_url).settings
        _build_and_close(factory, replace(config, connection=settings))
        return
    with LocalServer(binary=backend.server_binary, name="probe") as server:
        _build_and_close(factory, replace(config, connection=server.settings))


def _build_and_close(factory: StrategyFactory, config: StrategyConfig) -> None:
    strategy = build_strategy(factory, config)
    try:
        strategy.close()
    except (Exception, SystemExit) as e:
        what = f"exited ({one_line(e)})" if isinstance(e, SystemExit) else f"failed: {e}"
        raise UsageError(f"strategy {factory_name(factory)}: close() {what}") from e


def _user_factory(spec: str) -> StrategyFactory:
    if ":" in spec:
        return load_factory(spec)
    if spec in bundled_strategies():
        raise UsageError(
            f"{spec} is bundled: `mysql-chaos matrix --strategy {spec}` judges it against its "
            "recorded verdicts; check is for your own strategies"
        )
    return strategies().get(spec)


def load_user_factory(spec: str, options: tuple[str, ...], backend: Backend) -> StrategyFactory:
    """A user's ``module:factory`` (the current directory importable, as for ``python -m``) or
    the name another package registers it under, with ``--option`` settings, built once on a
    throw-away server before any cell runs."""
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    factory = with_options(_user_factory(spec), dict(parse_option(o) for o in options))
    probe_factory(factory, backend, CellTiming().strategy_config(ConnectionSettings()))
    return factory
