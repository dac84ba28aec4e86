"""The pytest plugin (entry point ``pytest11``): mysql-chaos faults in a user's own test suite.

``plugin`` holds the hooks and the one option group, ``fixtures`` the fixtures (a disposable
server, a Toxiproxy, a proxy in front of the server, a fault of the catalogue set up for one
test), ``matrix_items`` the strategy x fault cells as pytest items (``--mysql-chaos-matrix``).
``FaultUnderTest`` (what ``mysql_chaos_fault`` gives, for type hints) is imported on first use:
pytest loads this package in every run, most of which never ask for a fault.
"""

from __future__ import annotations

from typing import Any

__all__ = ["FaultUnderTest"]


def __getattr__(name: str) -> Any:
    if name == "FaultUnderTest":
        from chaos.pytest_plugin.fault_under_test import FaultUnderTest

        return FaultUnderTest
    raise AttributeError(f"module 'chaos.pytest_plugin' has no attribute {name!r}")
