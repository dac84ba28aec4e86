"""One vocabulary: each violation kind carries its word and meaning; every legend shows them."""

from __future__ import annotations

import pytest

from chaos.checker import ViolationKind
from chaos.verdicts.cell_result import CellResult
from chaos.verdicts.vocabulary import ERROR, PASS, SKIP, verdict_legend, verdict_words


def test_every_kind_has_its_own_word_and_a_meaning() -> None:
    words = [kind.short for kind in ViolationKind]
    assert len(set(words)) == len(words)
    assert not {PASS, SKIP, ERROR} & set(words)
    assert all(kind.meaning for kind in ViolationKind)


def test_a_verdict_reads_pass_or_the_kinds_words_joined() -> None:
    assert verdict_words([]) == "pass"
    assert verdict_words(["not-recovered", "hang", "hang"]) == "hang+norec"
    with pytest.raises(ValueError):
        verdict_words(["teleported"])


def test_the_legend_explains_every_word_a_verdict_can_show() -> None:
    shown = {word.short for word in verdict_legend()}
    assert {kind.short for kind in ViolationKind} | {PASS, SKIP, ERROR, "?", "!"} == shown


def test_a_cell_that_did_not_run_reads_skip_or_error() -> None:
    assert CellResult("s", "f", 0.0, skipped="need").verdict == "skip"
    assert CellResult("s", "f", 0.0, error="boom").verdict == "error"
