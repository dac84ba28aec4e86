"""A user's strategy that exits (``sys.exit(0)``) never makes a gate green.

Before any cell (import, factory, the probe's close) it is bad input, exit 2; inside a cell
(``run()``, ``close()``, a factory that exits only there) it is that cell's error, exit 4. Each
case names what exited. Driven through the CLI, from the user's directory, as a user runs it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

CLI = str(Path(sys.executable).with_name("mysql-chaos"))
FAULT = ("--fault", "kill-connection")

EXITS_AT_IMPORT = """
import sys

sys.exit(0)
"""

# The safe strategy, with an exit where the factory's name says.
EXITS_LATER = """
import sys

from mysql_chaos_apps.strategies.safe import SafeStrategy


class Exiting:
    def __init__(self, config, where):
        self.inner = SafeStrategy(config)
        self.where = where
        self.ran = False

    def run(self, unit):
        self.ran = True
        if self.where == "run":
            sys.exit(0)
        return self.inner.run(unit)

    def close(self):
        self.inner.close()
        if self.where == "close" or (self.where == "close_after_run" and self.ran):
            sys.exit(0)


def _factory(where):
    calls = []

    def factory(config):
        calls.append(config)
        # The probe builds one before any cell; the cell builds the second.
        if where == "factory" or (where == "factory_in_cell" and len(calls) > 1):
            sys.exit(0)
        return Exiting(config, where)

    return factory


factory = _factory("factory")
factory_in_cell = _factory("factory_in_cell")
run = _factory("run")
close = _factory("close")
close_after_run = _factory("close_after_run")
"""


def _run(tmp_path: Path, command: str, spec: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "mchaos_exits_at_import.py").write_text(EXITS_AT_IMPORT)
    (tmp_path / "mchaos_exits_later.py").write_text(EXITS_LATER)
    args = [spec, *FAULT] if command == "check" else ["--strategy", spec, *FAULT]
    return subprocess.run(
        [CLI, command, *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        cwd=tmp_path,
    )


BEFORE_ANY_CELL = [
    (
        "mchaos_exits_at_import:factory",
        "cannot import 'mchaos_exits_at_import' for 'mchaos_exits_at_import:factory': "
        "it exited (SystemExit: 0)",
    ),
    (
        "mchaos_exits_later:factory",
        "strategy factory _factory.<locals>.factory failed: it exited (SystemExit: 0)",
    ),
    (
        "mchaos_exits_later:close",
        "strategy _factory.<locals>.factory: close() exited (SystemExit: 0)",
    ),
]


@pytest.mark.parametrize("command", ["check", "matrix"])
@pytest.mark.parametrize(("spec", "message"), BEFORE_ANY_CELL, ids=["import", "factory", "close"])
def test_an_exit_before_any_cell_is_bad_input_naming_what_exited(
    tmp_path: Path, command: str, spec: str, message: str
) -> None:
    result = _run(tmp_path, command, spec)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr == f"mysql-chaos: {message}\n"


IN_A_CELL = [
    ("mchaos_exits_later:run", "strategy run() exited (SystemExit: 0) in w"),
    ("mchaos_exits_later:close_after_run", "strategy close() exited (SystemExit: 0)"),
    (
        "mchaos_exits_later:factory_in_cell",
        "strategy factory _factory.<locals>.factory failed: it exited (SystemExit: 0)",
    ),
]


@pytest.mark.parametrize("command", ["check", "matrix"])
@pytest.mark.parametrize(("spec", "message"), IN_A_CELL, ids=["run", "close", "factory"])
def test_an_exit_in_a_cell_is_that_cells_error_naming_what_exited(
    tmp_path: Path, command: str, spec: str, message: str
) -> None:
    result = _run(tmp_path, command, spec)
    assert result.returncode == 4, result.stdout + result.stderr
    assert f"ERROR {spec} x kill-connection: {message}" in result.stdout
