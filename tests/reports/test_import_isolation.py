"""Reading or writing a report loads no part of the machinery that produced the verdicts."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import chaos.reports
import chaos.verdicts

#: What runs cells: servers, namespaces, faults, the proxy and the runner wiring them.
MACHINERY = ("chaos.servers", "chaos.netns", "chaos.faults", "chaos.toxiproxy", "chaos.runner")

MODULES = sorted(
    [
        *(f"chaos.reports.{m.name}" for m in pkgutil.walk_packages(chaos.reports.__path__)),
        *(f"chaos.verdicts.{m.name}" for m in pkgutil.iter_modules(chaos.verdicts.__path__)),
        "chaos.reports",
        "chaos.verdicts",
    ]
)


@pytest.mark.parametrize("module", MODULES)
def test_importing_loads_no_server_fault_namespace_proxy_or_runner(module: str) -> None:
    code = (
        f"import sys, {module}\n"
        f"print(' '.join(m for m in sys.modules if m.startswith({MACHINERY!r})))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert run.stdout.split() == []


def test_the_json_report_is_among_the_modules_checked() -> None:
    assert "chaos.reports.json_io" in MODULES
