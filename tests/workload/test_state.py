"""Parsing the per-account move tokens (pure data, no database)."""

from __future__ import annotations

import pytest

from chaos.workload.state import Move, ParsedMoves, move_token, opening_token, parse_moves


def test_parse_moves_reads_the_opening_and_every_signed_move():
    text = opening_token(1000) + move_token("-", "w2-17", 5) + move_token("+", "w2-18", 3)
    assert parse_moves(text) == ParsedMoves(1000, (Move("w2-17", -5), Move("w2-18", 3)))


def test_parse_moves_keeps_op_ids_that_contain_colons():
    assert parse_moves(move_token("+", "a:b", 4)).moves == (Move("a:b", 4),)


def test_an_empty_moves_column_has_no_opening_and_no_moves():
    assert parse_moves("") == ParsedMoves(None, ())


@pytest.mark.parametrize("text", ["=1000", "=1000;=1000;", "*x:1;", "-x;", "-:4;", "=1000;;"])
def test_malformed_moves_raise_because_only_our_sql_writes_them(text):
    with pytest.raises(ValueError):
        parse_moves(text)
