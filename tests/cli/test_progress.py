"""The progress display: a live status line on a terminal (a real pseudo-terminal here), plain
lines in CI and in logs."""

from __future__ import annotations

import io
import os
import pty
import select
import subprocess
from collections.abc import Iterator

import pytest

from chaos.checker import CheckResult, Violation
from chaos.cli.progress import Progress, wants_live_display
from chaos.verdicts.cell_result import CellResult

from .support import CLI, run_cli

CLEAR = "\r\x1b[2K"


def _passed(strategy: str, fault: str) -> CellResult:
    return CellResult(strategy, fault, 1.2, check=CheckResult((), 0.0, 0, 0, 8))


def _norec(strategy: str, fault: str) -> CellResult:
    violation = Violation("not-recovered", ("w0-5",), "worker 0: 1 attempt(s) after heal")
    return CellResult(strategy, fault, 3.4, check=CheckResult((violation,), None, 0, 1, 4))


def _fails(result: CellResult) -> bool:
    return result.fault == "outage"  # pretend outage was expected to pass


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[io.TextIOWrapper, int]]:
    """A pseudo-terminal: the display writes to its slave end, the test reads its master."""
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    master, slave = pty.openpty()
    stream = open(slave, "w", encoding="utf-8", closefd=True)
    try:
        yield stream, master
    finally:
        stream.close()
        os.close(master)


def _read(master: int) -> str:
    chunks = []
    while select.select([master], [], [], 0)[0]:
        chunks.append(os.read(master, 65536))
    return b"".join(chunks).decode()


def test_on_a_terminal_one_status_line_is_redrawn_with_running_done_and_failed(terminal) -> None:
    stream, master = terminal
    progress = Progress(3, fails=_fails, stream=stream, clock=lambda: 0.0)
    assert progress.live
    progress.started("safe", "kill-connection")
    progress.started("naive-global", "outage")
    progress.finished(_passed("safe", "kill-connection"))
    progress.finished(_norec("naive-global", "outage"))
    progress.close()
    out = _read(master)
    assert "0/3 done, 2 running | 0s | safe x kill-connection, naive-global x outage" in out
    assert "1/3 done, 1 running | 0s | naive-global x outage" in out
    assert "2/3 done, 0 running, 1 failed | 0s" in out
    # The failed cell keeps a line of its own; the passed one only moved the counts.
    assert "naive-global x outage: " in out and "norec!" in out
    assert "safe x kill-connection: pass" not in out
    assert out.endswith(CLEAR)  # the status line is taken away for the summary


@pytest.mark.parametrize("setting", [{"CI": "true"}, {"TERM": "dumb"}])
def test_in_ci_or_on_a_dumb_terminal_every_cell_gets_a_plain_line(
    terminal, monkeypatch: pytest.MonkeyPatch, setting: dict[str, str]
) -> None:
    stream, master = terminal
    for name, value in setting.items():
        monkeypatch.setenv(name, value)
    assert not wants_live_display(stream)
    progress = Progress(2, fails=_fails, stream=stream)
    progress.started("safe", "kill-connection")
    progress.finished(_passed("safe", "kill-connection"))
    progress.finished(_norec("naive-global", "outage"))
    progress.close()
    out = _read(master)
    assert "\x1b[2K" not in out
    assert "[  1/2] safe x kill-connection: " in out and "[  2/2] naive-global x outage: " in out


def test_into_a_pipe_or_file_the_lines_carry_no_escape_codes() -> None:
    stream = io.StringIO()
    progress = Progress(2, fails=_fails, stream=stream)
    progress.finished(_norec("naive-global", "outage"))
    progress.finished(CellResult("safe", "idle-timeout", 0.0, skipped="needs a local server"))
    assert stream.getvalue() == (
        "[  1/2] naive-global x outage: norec! (3.4s)\n"
        "[  2/2] safe x idle-timeout: skip (0.0s) - needs a local server\n"
    )


def test_the_matrix_command_draws_the_live_line_on_a_real_terminal() -> None:
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "CI"} | {"TERM": "xterm"}
    process = subprocess.Popen(
        [CLI, "matrix", "--strategy", "safe", "--fault", "kill-connection"],
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=subprocess.PIPE,
        env=env,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: every writer of the terminal has gone
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert process.wait(timeout=120) == 0, process.stderr.read() if process.stderr else ""
    out = b"".join(chunks).decode()
    assert CLEAR + "0/1 done, 1 running" in out and "safe x kill-connection" in out
    assert "[  1/1]" not in out  # no plain line on a terminal for a cell that met its verdict
    assert "every cell meets its expected verdict" in out


def test_the_matrix_command_prints_plain_lines_in_ci() -> None:
    result = run_cli(
        "matrix", "--strategy", "safe", "--fault", "kill-connection", env={**os.environ, "CI": "1"}
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[  1/1] safe x kill-connection: pass (" in result.stdout
    assert "\x1b[" not in result.stdout
