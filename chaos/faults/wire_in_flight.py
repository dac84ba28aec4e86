"""A COMMIT still in flight when the client loses its link: the client's read-back races it."""

from __future__ import annotations

from typing import Any, ClassVar

from chaos.faults.base import register_fault
from chaos.faults.produced import LOST
from chaos.faults.wire_faults import WireFault


@register_fault
class CommitInFlightFault(WireFault):
    name = "commit-in-flight"
    description = (
        "the link dies while COMMIT is still on its way: the server gets it, and commits, later"
    )
    mechanism = (
        "mysql_commit_in_flight toxic: the client's side closes when COMMIT arrives; the COMMIT "
        "reaches the server 500 ms later (the session, its locks held, commits then)"
    )
    produces = LOST
    toxic_type = "mysql_commit_in_flight"
    #: Longer than a reconnect and a read take here, shorter than any client's read timeout: a
    #: plain read-back after reconnecting reads before the COMMIT lands, every time.
    delay_ms: ClassVar[int] = 500

    @classmethod
    def toxic_attributes(cls) -> dict[str, Any]:
        return {"writes": 1, "delay": cls.delay_ms}
