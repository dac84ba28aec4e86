"""Strategies and apps by name, found through entry points: ``chaos`` imports no client.

Two entry-point groups, so the bundled clients and any other package's are found alike:

``mysql_chaos.strategies``
    Either one factory, named by the entry point (``my-pool = "mypkg.db:make_strategy"``), or
    an ordered mapping of names to factories (how the bundled ones are registered, in the order
    the reports show them).
``mysql_chaos.apps``
    name -> a WSGI app as ``module:attribute`` (``seed`` is the seed's Flask app). Only the spec
    is read: the app is imported by the WSGI server that serves it, never here.

A third group, ``mysql_chaos.expectations``, carries the strategies' expected verdicts beside
them (:mod:`chaos.strategy.expectations`).

A factory is imported when the registry is first read, unless it defers that itself (see
:func:`strategy_factory`). The bundled strategies come first, then other packages' in the order
of their entry points' names. A name registered twice is an error naming both places.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from importlib.metadata import EntryPoint, entry_points

from chaos.errors import UsageError
from chaos.registry import Registry
from chaos.strategy.contract import StrategyFactory
from chaos.strategy.loading import import_object, load_factory

STRATEGY_GROUP = "mysql_chaos.strategies"
APP_GROUP = "mysql_chaos.apps"
_BUNDLED_DISTRIBUTION = "mysql-chaos"


def ordered_entry_points(group: str) -> list[EntryPoint]:
    """This group's entry points, the bundled distribution's first; each one once."""
    unique = {(entry.name, entry.value): entry for entry in entry_points(group=group)}

    def key(entry: EntryPoint) -> tuple[bool, str]:
        return (not is_bundled(entry), entry.name)

    return sorted(unique.values(), key=key)


def is_bundled(entry: EntryPoint) -> bool:
    """Whether ``entry`` is this distribution's own (the bundled clients)."""
    return entry.dist is not None and entry.dist.name == _BUNDLED_DISTRIBUTION


def _add(registry: Registry[StrategyFactory], name: str, factory: object, where: str) -> None:
    if name in registry:
        raise UsageError(f"{STRATEGY_GROUP}: strategy {name!r} is registered twice ({where})")
    if not callable(factory):
        raise UsageError(f"{STRATEGY_GROUP}: {where} is not a strategy factory")
    registry.add(name, factory)


@functools.cache
def strategies() -> Registry[StrategyFactory]:
    """Every registered strategy factory, by name. Imports the modules that provide them."""
    registry: Registry[StrategyFactory] = Registry("strategy")
    for entry in ordered_entry_points(STRATEGY_GROUP):
        loaded = import_object(entry.value)
        if isinstance(loaded, Mapping):
            for name, factory in loaded.items():
                _add(registry, name, factory, f"{entry.value}[{name!r}]")
        else:
            _add(registry, entry.name, loaded, entry.value)
    return registry


@functools.cache
def bundled_strategies() -> frozenset[str]:
    """The names this distribution registers itself: their expected verdicts must be recorded
    (a missing row is the project's own data being incomplete, not a user's strategy)."""
    names: set[str] = set()
    for entry in ordered_entry_points(STRATEGY_GROUP):
        if is_bundled(entry):
            loaded = import_object(entry.value)
            names.update(loaded if isinstance(loaded, Mapping) else (entry.name,))
    return frozenset(names)


def strategy_factory(name_or_spec: str) -> StrategyFactory:
    """A registered name (``safe``) or a user's ``module:factory``, ready to build.

    A registered factory may import what it needs only when used (the bundled ones do: Flask,
    DBUtils and SQLAlchemy come with an extra); one with a ``load()`` method is loaded here, so a
    missing package is one line before the first cell, not an error in every cell.
    """
    if ":" in name_or_spec:
        return load_factory(name_or_spec)
    factory = strategies().get(name_or_spec)
    load = getattr(factory, "load", None)
    if callable(load):
        load()
    return factory


@functools.cache
def wsgi_apps() -> Registry[str]:
    """Every registered WSGI app, by name, as the ``module:attribute`` a WSGI server loads."""
    registry: Registry[str] = Registry("app")
    for entry in ordered_entry_points(APP_GROUP):
        registry.add(entry.name, entry.value)
    return registry
