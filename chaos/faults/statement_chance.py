"""A soak's per-statement chance: each statement of the judged work may see its link cut.

Not in the catalogue (a matrix cell meets one fault at one moment): a soak schedule names it as
``chance:P:SEED`` (:mod:`chaos.soak.schedule`), made here for that probability and seed. It adds
a ``mysql_chance`` toxic (the embedded server's extension): every statement of the workload's
judged work that writes is answered, then its link is cut at the client's next command when a
toss from ``SEED``, the statement's text and how often that text came before falls below ``P``.
The workload's statements carry their operation's id, so the same statements are cut on every
replay, whatever order the workers' links reach the proxy in.

It shares the proxy: its toxic has its own name and strikes only statements, so it may be
active together with a wire or proxy fault.
"""

from __future__ import annotations

import functools
from typing import Any, ClassVar

from chaos.faults.produced import LOST
from chaos.faults.wire_faults import WireFault

PREFIX = "chance"
TOXIC_NAME = "chaos_chance"  # its own: it shares the proxy with the other faults' toxics


class StatementChanceFault(WireFault):
    """Made for one probability and seed by :func:`chance_fault`; never registered."""

    name = PREFIX
    description = "any write statement of the judged work: its link cut after the answer, by chance"
    mechanism = (
        "mysql_chance toxic: a toss from a seed, the statement's text and how often it came "
        "before; below the probability, the client's next command is not forwarded, link cut"
    )
    produces = LOST
    toxic_type = "mysql_chance"
    toxic_name = TOXIC_NAME
    #: May be active together with another fault that needs the proxy.
    shares_proxy: ClassVar[bool] = True
    probability: ClassVar[float] = 0.0
    seed: ClassVar[int] = 0

    def attributes(self) -> dict[str, Any]:
        # The judged work's own statements: they name their operation, so their texts differ.
        return {
            "probability": self.probability,
            "seed": self.seed,
            "match": self.target.transfer_signature,
        }


def chance_name(probability: float, seed: int) -> str:
    """How a schedule writes the chance: ``chance:P:SEED``."""
    return f"{PREFIX}:{probability:g}:{seed}"


@functools.cache
def chance_fault(probability: float, seed: int) -> type[StatementChanceFault]:
    """The fault for one probability (0 < P <= 1) and seed; one class per pair."""
    if not 0.0 < probability <= 1.0:
        raise ValueError(f"a statement chance is above 0 and at most 1, not {probability:g}")
    attributes = {"name": chance_name(probability, seed), "probability": probability, "seed": seed}
    return type("StatementChanceFault", (StatementChanceFault,), attributes)
