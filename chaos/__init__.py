"""mysql-chaos: make "MySQL server has gone away" happen on demand and judge how clients recover.

Everything a user implements or calls is importable from here (``from chaos import
StrategyConfig, FAULTS, LocalServer``); each name is imported on first use, so ``import chaos``
stays cheap and loads no client library.

Subpackages follow the data flow: ``servers`` / ``netns`` / ``toxiproxy`` / ``faults`` (the
nemesis) -> the clients under test (``chaos.strategy`` is their contract) -> ``workload``
(operations and their history) -> ``checker`` -> ``verdicts`` (a cell's result, its expectation,
the gate) -> ``reports``. Only ``chaos.runner`` wires them together.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

#: Public name -> the module that defines it.
_PUBLIC = {
    # The contract a client under test implements, and how strategies are found.
    "BaseStrategy": "chaos.strategy",
    "Connection": "chaos.strategy",
    "DefiniteFailure": "chaos.strategy",
    "Strategy": "chaos.strategy",
    "StrategyConfig": "chaos.strategy",
    "StrategyFactory": "chaos.strategy",
    "UnitOfWork": "chaos.strategy",
    "AsyncConnection": "chaos.strategy",
    "AsyncStrategy": "chaos.strategy",
    "AsyncUnitOfWork": "chaos.strategy",
    "BaseAsyncStrategy": "chaos.strategy",
    "load_factory": "chaos.strategy",
    "strategies": "chaos.strategy",
    "strategy_factory": "chaos.strategy",
    # The fault catalogue and what a fault acts on.
    "FAULTS": "chaos.faults",
    "Fault": "chaos.faults",
    "FaultTarget": "chaos.faults",
    "Need": "chaos.faults",
    "CellEnvironment": "chaos.runner.environment",
    "Backend": "chaos.runner.environment",
    # Servers and connection settings.
    "ConnectionSettings": "chaos.settings",
    "MySQLServer": "chaos.servers.base",
    "LocalServer": "chaos.servers.local",
    "ExternalServer": "chaos.servers.external",
    # Toxiproxy: a client for any 2.x server, and the embedded one.
    "ToxiproxyClient": "chaos.toxiproxy",
    "ProxyHandle": "chaos.toxiproxy",
    "EmbeddedToxiproxy": "chaos.toxiproxy",
    "toxiproxy_from_environment": "chaos.toxiproxy",
    # The checker and the runner's one-cell and matrix entry points.
    "check": "chaos.checker",
    "CheckResult": "chaos.checker",
    "Violation": "chaos.checker",
    "ViolationKind": "chaos.checker",
    "run_cell": "chaos.runner.cell",
    "CellResult": "chaos.verdicts",
    "run_matrix": "chaos.runner.matrix",
    # Errors.
    "ChaosError": "chaos.errors",
    "UsageError": "chaos.errors",
}

__all__ = sorted(_PUBLIC)


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'chaos' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_PUBLIC])
