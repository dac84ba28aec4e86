"""The matrix under pytest-xdist: each worker knows its share of the cells before they arrive.

A worker's cell pool (:mod:`chaos.pytest_plugin.cell_pool`) can only run ahead the cells it
knows it will be asked for, and xdist's ``load`` scheduler hands items out a few at a time as
earlier ones finish. So under ``--dist load`` (what ``-n`` means) the controller gives each of
the first N workers a share, shard K of N of the collected items by the ``--shard`` rule
(:mod:`chaos.runner.shard`: every fault's cells, slow and fast, dealt evenly), written into the
worker's ``workerinput`` before it starts; :class:`MatrixScheduling` then sends each worker only
its own share, a few items ahead of what it has reported, so a ``-x`` stop from the controller
still reaches it soon. A worker started later to replace a crashed one has no share: it gets
the crashed worker's remaining items from the common queue and runs them one at a time.
Other ``--dist`` modes keep their own scheduler, and their workers run their cells one at a time.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import pytest

from chaos.runner.shard import select_shard

if TYPE_CHECKING:
    from xdist.workermanage import WorkerController

#: ``workerinput`` key: ``[K, N]``, this worker's shard of the collected items.
SHARE = "mysql_chaos_share"
#: Items sent to a worker beyond those it has reported: xdist needs two (an item and the next).
AHEAD = 4


def worker_share(config: pytest.Config) -> tuple[int, int] | None:
    """This worker's share, or None (not a worker, or one the scheduler shares nothing with)."""
    share = getattr(config, "workerinput", {}).get(SHARE)
    return (share[0], share[1]) if share else None


def cells_of_this_process(config: pytest.Config, items: list[Any]) -> list[Any]:
    """The items this process will run, as far as it can know them in advance."""
    if not hasattr(config, "workerinput"):
        return items  # no xdist, or the controller (which collects none)
    share = worker_share(config)
    return select_shard(items, *share) if share else []


def jobs_of_this_process(config: pytest.Config, jobs: int) -> int:
    """The session's ``jobs``, split evenly between the workers that have a share."""
    share = worker_share(config)
    return max(1, math.ceil(jobs / share[1])) if share else jobs


class MatrixXdist:
    """Controller-side plugin: hands out the shares and schedules by them (``--dist load``)."""

    def __init__(self) -> None:
        self._shared = 0

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: WorkerController) -> None:
        count = node.workerinput["workercount"]
        if node.config.getvalue("dist") == "load" and self._shared < count:
            self._shared += 1
            node.workerinput[SHARE] = [self._shared, count]

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_make_scheduler(self, config: pytest.Config, log: Any) -> Any:
        if config.getvalue("dist") != "load":
            return None
        return _scheduling_class()(config, log)


def _scheduling_class() -> type:
    from xdist.scheduler import LoadScheduling

    class MatrixScheduling(LoadScheduling):  # type: ignore[misc]
        """``load`` scheduling in which a worker with a share gets only its share, and crash
        leftovers go through the common queue as ``load`` sends them."""

        def __init__(self, config: pytest.Config, log: Any = None) -> None:
            super().__init__(config, log)
            self.node2share: dict[WorkerController, list[int]] = {}

        @property
        def has_pending(self) -> bool:
            return any(self.node2share.values()) or bool(super().has_pending)

        @property
        def tests_finished(self) -> bool:
            return not any(self.node2share.values()) and bool(super().tests_finished)

        def schedule(self) -> None:
            assert self.collection_is_completed
            if self.collection is None:
                if not self._check_nodes_have_same_collection():
                    self.log("**Different tests collected, aborting run**")
                    return
                self.collection = next(iter(self.node2collection.values()))
                if self.maxschedchunk is None:
                    self.maxschedchunk = len(self.collection)
                shared: set[int] = set()
                for node in self.nodes:
                    share = node.workerinput.get(SHARE)
                    if share:
                        indices = select_shard(range(len(self.collection)), *share)
                        self.node2share[node] = indices
                        shared.update(indices)
                self.pending[:] = [i for i in range(len(self.collection)) if i not in shared]
            for node in self.nodes:
                self.check_schedule(node)

        def check_schedule(self, node: WorkerController, duration: float = 0) -> None:
            share = self.node2share.get(node)
            if not share:
                super().check_schedule(node, duration)
                return
            if node.shutting_down:
                return
            count = AHEAD - len(self.node2pending[node])
            if count > 0:
                indices, share[:] = share[:count], share[count:]
                self.node2pending[node].extend(indices)
                node.send_runtest_some(indices)

        def remove_node(self, node: WorkerController) -> str | None:
            left = self.node2share.pop(node, [])
            self.pending.extend(left)
            crashed = super().remove_node(node)
            if left:
                for other in self.nodes:
                    self.check_schedule(other)
            return crashed

    return MatrixScheduling
