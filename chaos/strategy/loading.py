"""Users' own strategies, named by import path (``module:factory``), checked before use."""

from __future__ import annotations

import importlib
from typing import Any

from chaos.errors import UsageError, one_line
from chaos.strategy.async_contract import is_async_strategy
from chaos.strategy.contract import Strategy, StrategyConfig, StrategyFactory
from chaos.strategy.event_loop import AsyncStrategyAdapter


def import_object(spec: str, what: str = "strategy factory", shape: str = "module:factory") -> Any:
    """Import ``module:attribute`` (the attribute may be dotted) and return the attribute; a
    malformed spec, a failing import or a missing attribute is one line naming ``what``."""
    module_name, sep, attribute = spec.partition(":")
    if not sep or not module_name or not attribute:
        raise UsageError(f"{what} must look like {shape!r}, got {spec!r}")
    try:
        target: Any = importlib.import_module(module_name)
    # An import runs arbitrary code: any error means "unusable", and so does an exit, which
    # would otherwise end the whole run with its code (0: a gate green with no cell run).
    except (Exception, SystemExit) as e:
        raise UsageError(f"cannot import {module_name!r} for {spec!r}: {_failed(e)}") from e
    for part in attribute.split("."):
        try:
            target = getattr(target, part)
        except AttributeError as e:
            raise UsageError(
                f"{what} {spec!r}: {module_name!r} has no attribute {attribute!r}"
            ) from e
    return target


def _failed(error: BaseException) -> str:
    """What user code did, in one line: its error, or that it exited."""
    return f"it exited ({one_line(error)})" if isinstance(error, SystemExit) else one_line(error)


def load_factory(spec: str) -> StrategyFactory:
    """:func:`import_object`, refused unless it is callable."""
    target = import_object(spec)
    if not callable(target):
        raise UsageError(
            f"{spec!r} is a {type(target).__name__}, not a factory (a callable taking a config)"
        )
    return target


def factory_name(factory: StrategyFactory) -> str:
    return getattr(factory, "__qualname__", None) or repr(factory)


def build_strategy(
    factory: StrategyFactory, config: StrategyConfig, *, adapt_async: bool = True
) -> Strategy:
    """Call ``factory(config)`` and check the result has callable ``run`` and ``close``.

    An async strategy (``async def run``) comes back behind an :class:`AsyncStrategyAdapter`,
    which the workload gives async units; closing the adapter closes the strategy. With
    ``adapt_async=False`` it comes back as it is (for a caller that has an event loop: an ASGI
    app awaits it on its own).
    """
    name = factory_name(factory)
    try:
        strategy = factory(config)
    except (Exception, SystemExit) as e:
        raise UsageError(f"strategy factory {name} failed: {_failed(e)}") from e
    missing = [m for m in ("run", "close") if not callable(getattr(strategy, m, None))]
    if missing:
        raise UsageError(
            f"strategy factory {name} returned a {type(strategy).__name__} without a callable "
            + " and ".join(missing)
        )
    if adapt_async and is_async_strategy(strategy):
        return AsyncStrategyAdapter(strategy)
    return strategy
