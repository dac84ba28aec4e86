"""Which faults can share a soak's one world: a namespace's firewall, or a proxy, never both.

A kernel fault (``Need.NETNS``) puts nftables rules on the server's port in the namespace the
client and server share: they strike the client's own connection. A proxy fault puts a Toxiproxy
between the two; with both in one world the rules would strike the proxy's upstream link, while
the client's socket, answered by the proxy's kernel, would never time out or meet the RST the
kernel fault exists to show. Nor could the client reach the server at all: the proxy listens in
the host's namespace, the server lives inside its own. So a schedule holds kernel faults or
proxy faults; the server and SQL faults (a KILL, a restart, GLOBAL variables) join either.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from chaos.errors import UsageError
from chaos.faults import FAULTS, Fault, Need

KERNEL = "kernel"
PROXY = "proxy"


def world_of(fault: type[Fault]) -> str | None:
    """The world a fault insists on (:data:`KERNEL` or :data:`PROXY`), or None: it joins either."""
    if Need.NETNS in fault.needs:
        return KERNEL
    if Need.PROXY in fault.needs:
        return PROXY
    return None


def mixed_pair(faults: Sequence[type[Fault]]) -> tuple[str, str] | None:
    """The names of the first kernel fault and the first proxy fault of ``faults``, if it holds
    both (a schedule's own faults: the per-statement chance is a proxy fault too)."""
    first: dict[str, str] = {}
    for fault in faults:
        world = world_of(fault)
        if world is not None:
            first.setdefault(world, fault.name)
    if KERNEL in first and PROXY in first:
        return first[KERNEL], first[PROXY]
    return None


def mixing_error(faults: Sequence[type[Fault]]) -> str | None:
    """One line saying why ``faults`` cannot share a world, or None when they can."""
    pair = mixed_pair(faults)
    if pair is None:
        return None
    kernel, proxy = pair
    return (
        f"{kernel} and {proxy} cannot share a world: a kernel fault's rules would strike the "
        "proxy's link to the server, not the client's; put them in separate schedules"
    )


def draw_one_world(rng: random.Random, pool: Sequence[str], count: int) -> list[str]:
    """``count`` distinct faults of ``pool`` in the order ``rng`` draws them, all of one world.

    The pool is shuffled; the first kernel or proxy fault met decides the world, and the faults
    of the other world are skipped. A world too small for ``count`` faults is never chosen, so
    the draw never falls short; when neither world is big enough, that is one line.
    """
    sizes = {
        world: sum(1 for name in pool if world_of(FAULTS.get(name)) in (None, world))
        for world in (KERNEL, PROXY)
    }
    allowed = {world for world, size in sizes.items() if size >= count}
    if not allowed:
        raise UsageError(
            f"{count} faults asked for, but a schedule holds kernel faults or proxy faults, not "
            f"both: at most {max(sizes.values())} of these share one world"
        )
    chosen: list[str] = []
    decided: str | None = None
    for name in rng.sample(list(pool), len(pool)):
        world = world_of(FAULTS.get(name))
        if world is not None and (world not in allowed or decided not in (None, world)):
            continue
        decided = decided or world
        chosen.append(name)
        if len(chosen) == count:
            break
    return chosen
