"""The client processes a benchmark drives through pipes: their order loop, and stopping them."""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator, Sequence
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any


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


def client_orders(pipe: Connection) -> Iterator[Any]:
    """In a client process: each order its parent sends, until ``None`` or the parent is gone.

    Ctrl-C is ignored here: it is the parent's to handle (it stops the clients itself).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        try:
            order = pipe.recv()
        except EOFError:  # the parent is gone
            return
        if order is None:
            return
        yield order
