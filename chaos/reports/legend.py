"""The legend every report shows: what the words of a verdict and the small numbers mean.

The verdict words come from :func:`chaos.verdicts.vocabulary.verdict_legend`, which takes them
from the violation kinds themselves; this module only lays them out for each format.
"""

from __future__ import annotations

import textwrap

from chaos.verdicts.vocabulary import Word, verdict_legend

RECOVERY = (
    "a/b: seconds to recover, from the fault's start (inject) / from heal, to the moment from "
    "which every worker succeeded: the first success after the last failed or unknown "
    "operation (0 after heal: recovered before the heal); never: a worker ended broken"
)


def _named(word: Word) -> str:
    return word.meaning if word.short == word.name else f"{word.name}: {word.meaning}"


def legend_lines() -> list[str]:
    """For the terminal: one word per line, aligned."""
    words = verdict_legend()
    width = max(len(word.short) for word in words)
    lines = [f"  {word.short.ljust(width)}  {_named(word)}" for word in words]
    return lines + textwrap.wrap(RECOVERY, 96, initial_indent="  ", subsequent_indent="  ")


def legend_markdown() -> str:
    """One paragraph: ``**norec** not-recovered: ...; ...``."""
    words = "; ".join(f"**{word.short}** {_named(word)}" for word in verdict_legend())
    return f"{words}. {RECOVERY}."


def legend_entries() -> list[tuple[str, str]]:
    """``(word, meaning)`` pairs, for formats that lay them out themselves (HTML)."""
    return [(word.short, _named(word)) for word in verdict_legend()]
