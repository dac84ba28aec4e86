"""A soak's seed as the user gives it: read here, apart from the catalogue, so the pytest
plugin checks ``--mysql-chaos-seed`` without importing the faults."""

from __future__ import annotations

import random

from chaos.errors import UsageError


def parse_seed(text: str | int) -> int:
    """A seed: a non-negative integer (decimal), or a :class:`UsageError` of one line."""
    try:
        seed = int(str(text).strip(), 10)
    except ValueError:
        raise UsageError(f"seed must be a non-negative integer, got {text!r}") from None
    if seed < 0:
        raise UsageError(f"seed must be a non-negative integer, got {text!r}")
    return seed


def random_seed() -> int:
    """A fresh seed, for a run given none (printed, so the run replays)."""
    return random.SystemRandom().randrange(2**32)
