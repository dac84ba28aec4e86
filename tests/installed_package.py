"""A tiny installed distribution that registers strategies through the entry point, as another
package would: a directory for ``PYTHONPATH`` holding the package and its ``.dist-info`` (which
``importlib.metadata`` finds), so no install into the suite's environment is needed."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE = "mchaos_plugin_pkg"
#: The names it registers: one correct strategy, one with the seed's bug.
GOOD, NAIVE = "mchaos-good", "mchaos-naive"

_SOURCE = '''
"""Strategies another package ships: one wraps the reference strategy, one keeps a single
connection forever (the seed's naive global connection)."""
from mysql_chaos_apps.strategies import BUNDLED


def good(config):
    return BUNDLED["safe"](config)


def naive(config):
    return BUNDLED["naive-global"](config)
'''


def install_package(root: Path) -> dict[str, str]:
    """Write the distribution under ``root``; the environment that finds it."""
    package = root / PACKAGE
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(_SOURCE)
    info = root / f"{PACKAGE}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: mchaos-plugin-pkg\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        f"[mysql_chaos.strategies]\n{GOOD} = {PACKAGE}:good\n{NAIVE} = {PACKAGE}:naive\n"
    )
    return {**os.environ, "PYTHONPATH": str(root)}
