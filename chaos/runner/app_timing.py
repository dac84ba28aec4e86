"""The time constants of an app cell: small, so a cell takes seconds, and paced, so it is cheap.

Each HTTP client sends one request every ``pace_seconds`` (sooner never; later when the answer
is late), so a cell costs the same whatever the machine's speed and a fault phase holds the same
requests. The recovery phase is longer than the recovery deadline by ``settle_seconds``: the
requests of that last window must all succeed, and at 4 clients x 20 requests/s it holds about
five requests per app thread, handed out round-robin by the WSGI server (measured with uWSGI
1 process 16 threads: 200 requests from 4 clients gave every thread 11 to 16), so a thread
whose connection never recovered cannot hide.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chaos.runner.timing import CellTiming


@dataclass(frozen=True)
class AppTiming:
    #: HTTP client processes (each its own keep-alive connection).
    clients: int = 4
    #: Threads of the app's single WSGI worker process (the seed's uWSGI --threads 16).
    threads: int = 16
    pace_seconds: float = 0.05
    warmup_seconds: float = 0.6
    #: The fault phase issues requests for this long.
    fault_seconds: float = 0.5
    #: Warm-up and fault phase: each client sends at least this many requests (unless the
    #: phase has lasted ``hard_deadline``: hung requests), so the WSGI server, which hands
    #: requests to its threads in turn, gives every thread about three: every thread holds a
    #: connection before the fault and meets the fault, whatever the machine's speed.
    requests_per_client: int = 12
    #: After heal, every client must succeed within this (the in-process cells' 3 s).
    recovery_deadline: float = 3.0
    #: Then every request of this window must succeed.
    settle_seconds: float = 1.0
    #: A request still unanswered after this many seconds is a hang (the HTTP client gives up).
    hard_deadline: float = 6.0
    #: The seed's wait_timeout (8 h) and recycle interval (1 h), scaled: the in-process values.
    idle_seconds: float = CellTiming.idle_seconds
    recycle_seconds: float = CellTiming.recycle_seconds
    #: Timeouts for strategies that take them: the in-process cells' own.
    client_timeouts: dict[str, Any] = field(
        default_factory=lambda: dict(CellTiming().client_timeouts)
    )

    @property
    def recovery_seconds(self) -> float:
        return self.recovery_deadline + self.settle_seconds
