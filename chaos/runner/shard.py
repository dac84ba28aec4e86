"""Which cells belong to shard K of N: one rule for the CLI's and the pytest plugin's ``--shard``.

CI splits a matrix over N jobs by giving each the same cell list and a different K. The rule is
round-robin over the list as given: cell ``i`` (0-based) belongs to shard ``i % N + 1``. It
depends only on the order of the list, so every job computes the same split without talking to
the others, the N shards are disjoint and together hold every cell once, and their sizes differ
by at most one. Callers pass the cells in one canonical order (the matrix's own: faults as
listed, strategies as listed within each fault); round-robin over that order also deals each
fault's cells, slow and fast alike, evenly across the shards.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TypeVar

from chaos.errors import UsageError

T = TypeVar("T")

_SHARD = re.compile(r"(\d+)/(\d+)")


def parse_shard(text: str) -> tuple[int, int]:
    """``"K/N"`` -> ``(K, N)`` with ``1 <= K <= N``; anything else raises :class:`UsageError`."""
    match = _SHARD.fullmatch(text.strip())
    if match is None:
        raise UsageError(f"--shard {text!r}: expected K/N, e.g. 1/2 (shard K of N, from 1)")
    shard, total = int(match[1]), int(match[2])
    if total < 1 or not 1 <= shard <= total:
        raise UsageError(f"--shard {text!r}: K must be between 1 and N, and N at least 1")
    return shard, total


def select_shard(cells: Sequence[T], shard: int, total: int) -> list[T]:
    """The cells of shard ``shard`` (1-based) of ``total``, in their original order."""
    if total < 1 or not 1 <= shard <= total:
        raise UsageError(f"shard {shard} of {total}: K must be between 1 and N, and N at least 1")
    return [cell for index, cell in enumerate(cells) if index % total == shard - 1]
