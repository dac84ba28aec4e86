"""The app x fault matrix: every app cell in parallel, each with its own server and app server.

The default fault set keeps the app matrix practical (each cell starts a WSGI server and HTTP
client processes, and runs seconds of paced load): the seed's own error and one or two faults of
every mechanism, chosen for the distinct verdicts they give (``Fault.app_mode_default``).
``--all-faults`` runs the whole catalogue but the faults app mode cannot run
(``Fault.not_in_app_mode``, which says why).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

from chaos.errors import UsageError
from chaos.faults import FAULTS
from chaos.faults.base import Fault
from chaos.runner.app_cell import run_app_cell
from chaos.runner.app_timing import AppTiming
from chaos.runner.app_under_test import AppUnderTest
from chaos.runner.environment import Backend
from chaos.runner.matrix import MatrixRun, run_cells
from chaos.verdicts.cell_result import CellResult


def app_mode_faults(requested: list[str], all_faults: bool) -> list[str]:
    """The faults of an app run: those named (each must be one app mode can run), else the
    catalogue (``all_faults``) or the default set, in the catalogue's order."""
    for name in requested:
        reason = FAULTS.get(name).not_in_app_mode
        if reason is not None:
            raise UsageError(f"{name} is not run in app mode: {reason}")
    names = FAULTS.select(requested)
    if requested or all_faults:
        return [name for name in names if FAULTS.get(name).not_in_app_mode is None]
    return [name for name in names if FAULTS.get(name).app_mode_default]


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
