"""The app x fault matrix: every app cell in parallel, each with its own server and app server.

The default fault set keeps the app matrix practical (each cell starts a WSGI server and HTTP
client processes, and runs seconds of paced load): the seed's own error and one or two faults of
every mechanism, chosen for the distinct verdicts they give. ``--all-faults`` runs the whole
catalogue.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

from chaos.faults.base import Fault
from chaos.runner.app_cell import run_app_cell
from chaos.runner.app_timing import AppTiming
from chaos.runner.app_under_test import AppUnderTest
from chaos.runner.environment import Backend
from chaos.runner.matrix import MatrixRun, run_cells
from chaos.verdicts.cell_result import CellResult

DEFAULT_FAULTS = (
    # the kernel: the seed's own error
    "middlebox-drop",
    # the server
    "idle-timeout",
    "kill-connection",
    "server-restart",
    "server-freeze",
    # the proxy
    "reset-peer",
    "outage",
    "slow-network",
    # the wire
    "mid-transaction-drop",
    "ambiguous-commit",
    "deadlock",
)

#: Faults that cannot be meaningful in app mode, and why (``--all-faults`` leaves them out).
NOT_IN_APP_MODE = {
    "too-many-connections": (
        "its max_connections=10 is below the app's 16 threads: measured, the app's own "
        "connections exhaust the server before the fault, and the suite's admin session is "
        "refused with 1040 (every cell errors); the fault needs a client that holds fewer "
        "connections than the limit, as the in-process cells' 4 workers do"
    ),
}


def run_app_matrix(
    apps: list[AppUnderTest],
    faults: list[type[Fault]],
    *,
    backend: Backend | None = None,
    jobs: int = 4,
    timing: AppTiming | None = None,
    wsgi_server: str = "auto",
    history_dir: Path | None = None,
    on_result: Callable[[CellResult, int, int], None] | None = None,
    on_start: Callable[[str, str], None] | None = None,
    shard: tuple[int, int] | None = None,
) -> MatrixRun:
    """Run every app against every fault; ``on_result(result, done, total)`` per cell,
    ``on_start(app, fault)`` as each starts; ``shard=(K, N)`` as :func:`run_matrix`."""
    backend = backend or Backend()
    timing = timing or AppTiming()
    cells = [
        (
            app.name,
            fault,
            functools.partial(
                run_app_cell,
                app,
                fault,
                backend=backend,
                timing=timing,
                wsgi_server=wsgi_server,
                history_dir=history_dir,
            ),
        )
        for fault in faults
        for app in apps
    ]
    return run_cells(
        cells,
        faults,
        backend=backend,
        jobs=jobs,
        on_result=on_result,
        on_start=on_start,
        shard=shard,
    )
