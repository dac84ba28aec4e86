"""Expected verdicts per strategy x fault, measured and kept in a data file.

One table per strategy, one key per fault::

    [naive-global]
    idle-timeout = { violations = ["not-recovered"], why = "one connection, never checked" }

A cell meets its expectation when its violation kinds equal the expected ones exactly: a broken
strategy that suddenly passes means a fault or the checker lost its teeth. The files live
beside the strategies they describe and are found through entry points
(:mod:`chaos.strategy.expectations`).

Verdicts are measured per server flavour. MariaDB's (:data:`BASE_FLAVOUR`) are the whole table;
another flavour's file records only the cells where that flavour's verdict differs, each with
its why, and lays them over the base table (:func:`overlay`).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from chaos.errors import UsageError


@dataclass(frozen=True)
class Expectation:
    violations: tuple[str, ...]
    why: str = ""


Expectations = dict[tuple[str, str], Expectation]

MARIADB = "mariadb"
MYSQL = "mysql"
#: The server flavours a run can be on; the first one's verdicts are the whole table.
FLAVOURS = (MARIADB, MYSQL)
BASE_FLAVOUR = MARIADB

#: What a user's own strategy is held to (``check``, ``matrix --strategy module:factory``).
HELD_TO_EVERY_INVARIANT = Expectation((), "a user's strategy is held to every invariant")


def held_to_every_invariant(strategy: str, faults: list[str]) -> Expectations:
    """``strategy`` under each of ``faults`` held to every invariant: the gate of ``check``
    and ``check-app`` is the matrix's gate with these expectations."""
    return {(strategy, fault): HELD_TO_EVERY_INVARIANT for fault in faults}


def overlay(base: Expectations, differences: Expectations) -> Expectations:
    """``base`` with the cells of ``differences`` (another flavour's) in place of its own."""
    return {**base, **differences}


def load_expectations(path: Path) -> Expectations:
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError as e:
        raise UsageError(f"{path}: not valid TOML: {e}") from e
    expectations: Expectations = {}
    for strategy, faults in data.items():
        for fault, entry in faults.items():
            expectations[(strategy, fault)] = Expectation(
                tuple(sorted(entry.get("violations", []))), entry.get("why", "")
            )
    return expectations


def dump_expectations(expectations: Expectations) -> str:
    """TOML text for ``expectations``: one table per strategy, in first-seen order."""
    by_strategy: dict[str, list[tuple[str, Expectation]]] = {}
    for (strategy, fault), expectation in expectations.items():
        by_strategy.setdefault(strategy, []).append((fault, expectation))
    blocks = []
    for strategy, entries in by_strategy.items():
        lines = [f"[{strategy}]"]
        for fault, expectation in entries:
            violations = ", ".join(f'"{v}"' for v in expectation.violations)
            why = expectation.why.replace("\\", "\\\\").replace('"', '\\"')
            lines.append(f'{fault} = {{ violations = [{violations}], why = "{why}" }}')
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"
