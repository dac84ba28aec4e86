"""An HTTP load generator in separate processes, like ``siege -b``: no think time.

Each client is its own process (so the load generator's GIL never caps a concurrency of 16),
keeps one HTTP/1.1 connection open (reopened if the server closes it), and sends ``GET`` requests
back to back over the app server's Unix socket until its time or its request budget runs out.
All clients of a run start at the same moment, after they have been handed their order.
"""

from __future__ import annotations

import http.client
import multiprocessing
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection as Pipe
from typing import Any

from chaos.appserver.unix_http import UnixHTTPConnection
from chaos.bench.processes import client_orders, stop_client_processes

START_MARGIN_SECONDS = 0.2
REQUEST_TIMEOUT = 10.0


@dataclass(frozen=True)
class LoadResult:
    """What ``concurrency`` clients achieved in ``seconds``."""

    ok: int
    failed: int
    seconds: float
    first_failure: str = ""

    @property
    def rate(self) -> float:
        """Successful requests per second."""
        return self.ok / self.seconds if self.seconds else 0.0


def _client(pipe: Pipe) -> None:
    for socket_path, path, start_at, duration, budget in client_orders(pipe):
        pipe.send(_drive(socket_path, path, start_at, duration, budget))


def _drive(
    socket_path: str, path: str, start_at: float, duration: float, budget: int
) -> tuple[Any, ...]:
    ok = failed = 0
    first_failure = ""
    conn = UnixHTTPConnection(socket_path, timeout=REQUEST_TIMEOUT)
    try:
        while time.monotonic() < start_at:
            time.sleep(min(0.01, max(0.0, start_at - time.monotonic())))
        end = start_at + duration
        while time.monotonic() < end and ok + failed < budget:
            try:
                conn.request("GET", path)
                response = conn.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException) as e:
                failed += 1
                first_failure = first_failure or f"{type(e).__name__}: {e}"
                conn.close()  # the next request reconnects
                continue
            if response.status == 200:
                ok += 1
            else:
                failed += 1
                first_failure = first_failure or f"HTTP {response.status}: {body[:200]!r}"
    finally:
        conn.close()
    return ok, failed, first_failure


class LoadGenerator:
    """``size`` client processes, reused for every run (forked once, before any load)."""

    def __init__(self, size: int) -> None:
        context = multiprocessing.get_context("fork")
        self._pipes: list[Pipe] = []
        self._processes: list[Any] = []
        for _ in range(size):
            parent, child = context.Pipe()
            process = context.Process(target=_client, args=(child,), daemon=True)
            process.start()
            child.close()
            self._pipes.append(parent)
            self._processes.append(process)

    def run(
        self, socket_path: str, path: str, concurrency: int, duration: float, budget: int = 10**9
    ) -> LoadResult:
        """``concurrency`` clients for ``duration`` s, each at most ``budget`` requests."""
        if not 1 <= concurrency <= len(self._pipes):
            raise ValueError(f"concurrency {concurrency} outside 1..{len(self._pipes)}")
        start_at = time.monotonic() + START_MARGIN_SECONDS
        pipes = self._pipes[:concurrency]
        for pipe in pipes:
            pipe.send((socket_path, path, start_at, duration, budget))
        ok = failed = 0
        first_failure = ""
        for pipe in pipes:
            mine_ok, mine_failed, mine_first = pipe.recv()
            ok, failed = ok + mine_ok, failed + mine_failed
            first_failure = first_failure or mine_first
        # Every client stops at start_at + duration (or earlier on its budget): the run's span.
        seconds = min(duration, max(time.monotonic() - start_at, 1e-9))
        return LoadResult(ok, failed, seconds, first_failure)

    def close(self) -> None:
        stop_client_processes(self._pipes, self._processes)

    def __enter__(self) -> LoadGenerator:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
