"""The words for a cell's verdict: one vocabulary for progress lines and every report.

A cell that ran reads ``pass`` (every invariant held) or the short words of its violation kinds
joined by ``+`` (``norec+hang``); the words come from the kinds themselves
(:class:`chaos.checker.ViolationKind`). A cell that did not run reads ``skip`` or ``error``. A
``!`` after the words marks a measured verdict that differs from the expected one, a ``?``
one whose fault could not tell whether it struck (``unexercised``, a violation kind, says it
did not). The
expectations file and the JSON report's ``violations`` keep the kinds' full names
(``not-recovered``); every legend shows both.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from chaos.checker import ViolationKind

PASS = "pass"
SKIP = "skip"
ERROR = "error"
MISMATCH = "!"
#: After the words: the fault cannot tell whether it struck (a real Toxiproxy counts nothing).
STRIKE_UNKNOWN = "?"


@dataclass(frozen=True)
class Word:
    """One entry of a legend: the word shown, the name it stands for, what it means."""

    short: str
    name: str
    meaning: str


def verdict_words(kinds: Iterable[str]) -> str:
    """``pass`` for no violation, else the kinds' short words, sorted by name, joined by ``+``.

    Raises ``ValueError`` for a name that is not a violation kind.
    """
    names = sorted({str(ViolationKind(kind)) for kind in kinds})
    return "+".join(ViolationKind(name).short for name in names) or PASS


def verdict_legend() -> tuple[Word, ...]:
    """Every word a verdict can show, in the order reports list them."""
    return (
        Word(PASS, "pass", "every invariant held"),
        *(Word(kind.short, str(kind), kind.meaning) for kind in ViolationKind),
        Word(SKIP, "skipped", "not run here, the fault's need unmet"),
        Word(
            ERROR, "error", "the cell could not run to a verdict: its fault, server or proxy raised"
        ),
        Word(
            STRIKE_UNKNOWN,
            "strike-unknown",
            "the fault cannot tell whether it struck the code under test: the verdict is not "
            "backed by a strike count",
        ),
        Word(MISMATCH, "mismatch", "the verdict differs from the expected one"),
    )
