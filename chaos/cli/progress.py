"""What a terminal shows while cells run: a live status line, or plain lines in CI and logs.

On a terminal (stdout a TTY, ``CI`` unset, ``TERM`` not ``dumb``) one status line is redrawn in
place: cells done, running, failed, skipped and errored, the elapsed time and the cells running
now; a cell that fails, skips or errors gets a line of its own above it, so what needs looking
at stays on screen. Anywhere else every cell gets one plain line when it finishes (no escape
codes), as a CI log wants. Both use the reports' words (``pass``, ``norec``, ``!``).
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

import click

from chaos.verdicts.vocabulary import ERROR, MISMATCH, PASS, SKIP

if TYPE_CHECKING:
    from chaos.verdicts.cell_result import CellResult

_CLEAR_LINE = "\r\x1b[2K"


def wants_live_display(stream: TextIO) -> bool:
    """A person is watching: a TTY, not CI, a terminal that understands escape codes."""
    if os.environ.get("CI") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class Progress:
    """Told when each cell starts and finishes (from the runner's threads); draws as it goes.

    ``fails(result)`` says whether a cell fails the gate (a ``!`` on its line).
    """

    def __init__(
        self,
        total: int,
        *,
        fails: Callable[[CellResult], bool],
        stream: TextIO | None = None,
        live: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = total
        self._fails = fails
        self._stream = stream if stream is not None else sys.stdout
        self.live = wants_live_display(self._stream) if live is None else live
        self._clock = clock
        self._started_at = clock()
        self._lock = threading.Lock()
        self._running: dict[tuple[str, str], None] = {}
        self._done = self._failed = self._skipped = self._errored = 0
        self._status_shown = False

    def started(self, strategy: str, fault: str) -> None:
        with self._lock:
            self._running[(strategy, fault)] = None
            if self.live:
                self._draw_status()

    def finished(self, result: CellResult, done: int = 0, total: int = 0) -> None:
        """Also fits the runner's ``on_result(result, done, total)``."""
        with self._lock:
            self._running.pop((result.strategy, result.fault), None)
            self._done += 1
            failed = result.skipped is None and result.error is None and self._fails(result)
            self._failed += failed
            self._skipped += result.skipped is not None
            self._errored += result.error is not None
            line = self._line(result, failed)
            if not self.live:
                self._write(line + "\n")
                return
            if failed or result.skipped or result.error:
                self._write(_CLEAR_LINE + line + "\n")
                self._status_shown = False
            self._draw_status()

    def close(self) -> None:
        """Take the status line away (the run's summary follows)."""
        with self._lock:
            if self.live and self._status_shown:
                self._write(_CLEAR_LINE)
                self._status_shown = False

    def _line(self, result: CellResult, failed: bool) -> str:
        words = result.verdict + result.strike_mark + (MISMATCH if failed else "")
        colour = {PASS: "green", SKIP: "yellow", ERROR: "red"}.get(result.verdict, "red")
        return (
            f"[{self._done:3}/{self.total}] {result.strategy} x {result.fault}: "
            + click.style(words, fg=colour, bold=failed)
            + f" ({result.seconds:.1f}s)"
            + (f" - {result.skipped}" if result.skipped else "")
            + (f" - {result.error}" if result.error else "")
            + "".join(f" - {note}" for note in result.notes)
        )

    def status(self) -> str:
        """The live line's text: counts, elapsed seconds, the cells running now."""
        counts = [f"{self._done}/{self.total} done", f"{len(self._running)} running"]
        counts += [
            f"{count} {name}"
            for count, name in (
                (self._failed, "failed"),
                (self._skipped, "skipped"),
                (self._errored, "errored"),
            )
            if count
        ]
        running = ", ".join(f"{s} x {f}" for s, f in self._running)
        text = f"{', '.join(counts)} | {self._clock() - self._started_at:.0f}s"
        return text + (f" | {running}" if running else "")

    def _draw_status(self) -> None:
        width = shutil.get_terminal_size((100, 24)).columns - 1
        text = self.status()
        if len(text) > width:
            text = text[: max(0, width - 3)] + "..."
        colour = "red" if self._failed or self._errored else None
        self._write(_CLEAR_LINE + click.style(text, fg=colour))
        self._status_shown = True

    def _write(self, text: str) -> None:
        # click.echo drops the colours when the stream is not a terminal.
        click.echo(text, file=self._stream, nl=False)
        self._stream.flush()
