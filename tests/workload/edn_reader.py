"""A small EDN reader for the tests: enough of EDN to read back what chaos.workload.elle writes
(maps, vectors, nil, booleans, integers, strings, keywords), and strict about the rest."""

from __future__ import annotations

import re
from typing import Any

_TOKEN = re.compile(r'\s*(?:,\s*)*([{}\[\]]|"(?:[^"\\]|\\.)*"|[^\s,{}\[\]"]+)')
_KEYWORD = re.compile(r":[A-Za-z*+!_?<>=-][\w*+!?<>=./-]*")


class Keyword(str):
    def __repr__(self) -> str:
        return f":{self}"


def read_edn(text: str) -> Any:
    """The one EDN value in ``text``; ValueError when it is not well-formed."""
    tokens = _tokens(text)
    value, position = _value(tokens, 0)
    if position != len(tokens):
        raise ValueError(f"trailing tokens after the value: {tokens[position:]!r}")
    return value


def _tokens(text: str) -> list[str]:
    tokens, position = [], 0
    while position < len(text):
        if not text[position:].strip(" \t\n,"):
            break
        match = _TOKEN.match(text, position)
        if match is None:
            raise ValueError(f"cannot read EDN at {text[position : position + 20]!r}")
        tokens.append(match.group(1))
        position = match.end()
    return tokens


def _value(tokens: list[str], at: int) -> tuple[Any, int]:
    if at >= len(tokens):
        raise ValueError("EDN ends early")
    token = tokens[at]
    if token in ("[", "{"):
        closing = "]" if token == "[" else "}"
        items: list[Any] = []
        at += 1
        while at < len(tokens) and tokens[at] != closing:
            item, at = _value(tokens, at)
            items.append(item)
        if at >= len(tokens):
            raise ValueError(f"unclosed {token}")
        if token == "[":
            return items, at + 1
        if len(items) % 2:
            raise ValueError("a map needs an even number of forms")
        keys = items[0::2]
        if len(set(map(repr, keys))) != len(keys):
            raise ValueError(f"duplicate map keys in {items!r}")
        return dict(zip(keys, items[1::2], strict=True)), at + 1
    if token in ("]", "}"):
        raise ValueError(f"unexpected {token}")
    if token == "nil":
        return None, at + 1
    if token in ("true", "false"):
        return token == "true", at + 1
    if token.startswith('"'):
        escapes = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
        return re.sub(r"\\(.)", lambda m: escapes[m.group(1)], token[1:-1]), at + 1
    if token.startswith(":"):
        if not _KEYWORD.fullmatch(token):
            raise ValueError(f"malformed keyword {token!r}")
        return Keyword(token[1:]), at + 1
    if re.fullmatch(r"[+-]?\d+", token):
        return int(token), at + 1
    raise ValueError(f"unknown EDN token {token!r}")
