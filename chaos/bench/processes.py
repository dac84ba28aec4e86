"""Stopping the client processes a benchmark drives through pipes."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess


def stop_client_processes(pipes: Sequence[Connection], processes: Sequence[BaseProcess]) -> None:
    """Ask every client to stop (``None`` down its pipe), wait 5 s each, kill the stragglers."""
    for pipe in pipes:
        with contextlib.suppress(OSError):
            pipe.send(None)
    for process in processes:
        process.join(5)
        if process.is_alive():
            process.kill()
            process.join()
    for pipe in pipes:
        pipe.close()
