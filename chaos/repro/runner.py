"""Run the selected reproductions side by side and hand back their outcomes in run order.

Each reproduction has its own server (and namespace or proxy), as a matrix cell does, so they
run in parallel without seeing each other; the slowest (mid-transaction-outage's 5 s outage, the
kernel's keepalive) then overlap instead of adding up. A Toxiproxy is started only when a
selected fault needs one, exactly as the matrix does.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from chaos import lifecycle
from chaos.drivers import Driver
from chaos.repro.catalogue import faults_of, needs_toxiproxy, reproduce
from chaos.repro.outcome import Reproduction
from chaos.runner.environment import Backend
from chaos.runner.preflight import require_local_servers


@contextlib.contextmanager
def _toxiproxy_if_needed(selected: list[str]) -> Iterator[Any]:
    if not needs_toxiproxy(selected):
        yield None
        return
    from chaos.toxiproxy.embedded import toxiproxy_from_environment

    with toxiproxy_from_environment() as client:
        yield client


def run_reproductions(
    selected: list[str],
    jobs: int = 4,
    backend: Backend | None = None,
    driver: Driver | None = None,
) -> Iterator[Reproduction]:
    """Yield one :class:`Reproduction` per name of ``selected``, in that order, each with a
    client of ``driver`` (PyMySQL by default).

    A missing server binary or driver raises once (one line) before anything starts.
    """
    if driver is not None:
        driver.load()
    backend = backend or Backend()
    require_local_servers(faults_of(selected), backend)
    with _toxiproxy_if_needed(selected) as toxiproxy:
        executor = ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="repro")
        try:
            futures = [
                executor.submit(reproduce, name, toxiproxy, backend, driver) for name in selected
            ]
            for future in futures:
                yield future.result()
        except BaseException:
            # Ctrl-C (or the consumer stopped early): tear down what is running, then go on.
            executor.shutdown(wait=False, cancel_futures=True)
            lifecycle.run_cleanups()
            raise
        executor.shutdown(wait=True)
