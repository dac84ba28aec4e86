"""A strategy's close() cannot hold a cell, or the run, for good.

Seen on MySQL: the naive strategy's close() waits for the lock its worker holds, and the worker
waits, with no read timeout, on a link the fault left hung; the cell never ended and the matrix
stopped there. close() is now waited for a bounded time; the cell's teardown ends the link.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from chaos.errors import StrategyExitError
from chaos.runner import cell

CLI = str(Path(sys.executable).with_name("mysql-chaos"))


class Closing:
    def __init__(self, action) -> None:  # type: ignore[no-untyped-def]
        self.action = action
        self.closed = threading.Event()

    def close(self) -> None:
        self.action()
        self.closed.set()


def test_a_close_that_blocks_is_left_behind_after_the_timeout(caplog):
    release = threading.Event()
    strategy = Closing(lambda: release.wait(30))
    with caplog.at_level(logging.WARNING, logger="chaos.runner.cell"):
        cell._close_quietly(strategy, timeout=0.2)
    assert not strategy.closed.is_set()  # returned while close() was still blocked
    assert "strategy close() still blocked after 0 s" in caplog.text
    release.set()  # as the teardown ending the hung link does
    assert strategy.closed.wait(10)


def test_a_close_that_raises_is_logged_and_one_that_exits_is_the_cells_error(caplog):
    def fail() -> None:
        raise RuntimeError("broken close")

    with caplog.at_level(logging.WARNING, logger="chaos.runner.cell"):
        cell._close_quietly(Closing(fail), timeout=5)
    assert "strategy close failed: RuntimeError: broken close" in caplog.text
    with pytest.raises(StrategyExitError, match=r"close\(\) exited \(SystemExit: 3\)"):
        cell._close_quietly(Closing(lambda: sys.exit(3)), timeout=5)


# The safe strategy, whose close never returns once a cell has run it (the probe's returns).
HANGS_IN_CLOSE = """
import threading

from mysql_chaos_apps.strategies.safe import SafeStrategy


class HangsInClose(SafeStrategy):
    ran = False

    def run(self, unit):
        self.ran = True
        return super().run(unit)

    def close(self):
        super().close()
        if self.ran:
            threading.Event().wait()


def factory(config):
    return HangsInClose(config)
"""


def test_a_cell_whose_strategy_never_closes_still_ends_with_its_verdict(tmp_path: Path) -> None:
    (tmp_path / "mchaos_hangs_in_close.py").write_text(HANGS_IN_CLOSE)
    result = subprocess.run(
        [CLI, "check", "mchaos_hangs_in_close:factory", "--fault", "kill-connection"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output  # the safe strategy's verdict: it recovers
    assert "strategy close() still blocked" in output
