"""Expected verdicts per strategy x fault, measured and kept in a data file.

One table per strategy, one key per fault::

    [naive-global]
    idle-timeout = { violations = ["not-recovered"], why = "one connection, never checked" }

A cell meets its expectation when its violation kinds equal the expected ones exactly: a broken
strategy that suddenly passes means a fault or the checker lost its teeth. The files live
beside the strategies they describe and are found through entry points
(:mod:`chaos.strategy.expectations`); a user's own file is named on the command line.

Where nothing is recorded, one rule (:func:`hold_unrecorded`) decides: a strategy of the user's
own (``module:factory``, or registered by another package) is held to every invariant, check's
rule; a bundled strategy's missing row stays missing, and the cell fails ("none recorded"): the
project's own data is incomplete, and a gate must not paper over that.

Verdicts are measured per server flavour. MariaDB's (:data:`BASE_FLAVOUR`) are the whole table;
another flavour's file records only the cells where that flavour's verdict differs, each with
its why, and lays them over the base table (:func:`overlay`).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Container, Iterable
from dataclasses import dataclass
from pathlib import Path

from chaos.errors import UsageError
from chaos.verdicts.vocabulary import verdict_words


@dataclass(frozen=True)
class Expectation:
    violations: tuple[str, ...]
    why: str = ""
    #: Nothing was recorded: the cell is held to every invariant (a user's strategy).
    every_invariant: bool = False

    @property
    def words(self) -> str:
        """The expectation as the reports show it: ``every invariant``, ``pass``, ``norec``."""
        return EVERY_INVARIANT if self.every_invariant else verdict_words(self.violations)


Expectations = dict[tuple[str, str], Expectation]

EVERY_INVARIANT = "every invariant"
#: What a user's own strategy is held to where the user recorded nothing (``check``'s rule).
HELD_TO_EVERY_INVARIANT = Expectation(
    (), "no verdict recorded for this strategy of yours", every_invariant=True
)
#: The violation kind of a cell whose fault struck nothing; recorded only with a why.
UNEXERCISED = "unexercised"
MARIADB = "mariadb"
MYSQL = "mysql"
#: The server flavours a run can be on; the first one's verdicts are the whole table.
FLAVOURS = (MARIADB, MYSQL)
BASE_FLAVOUR = MARIADB


def held_to_every_invariant(strategy: str, faults: list[str]) -> Expectations:
    """``strategy`` under each of ``faults`` held to every invariant: the gate of ``check-app``
    is the matrix's gate with these expectations."""
    return {(strategy, fault): HELD_TO_EVERY_INVARIANT for fault in faults}


def hold_unrecorded(
    recorded: Expectations,
    strategies: Iterable[str],
    faults: Iterable[str],
    *,
    bundled: Container[str],
) -> Expectations:
    """``recorded``, plus every cell of ``strategies`` x ``faults`` that it lacks held to every
    invariant, unless its strategy is one of ``bundled`` (whose missing row stays missing)."""
    faults = list(faults)
    table = dict(recorded)
    for strategy in strategies:
        if strategy not in bundled:
            for key, held in held_to_every_invariant(strategy, faults).items():
                table.setdefault(key, held)
    return table


def overlay(base: Expectations, differences: Expectations) -> Expectations:
    """``base`` with the cells of ``differences`` (another flavour's) in place of its own."""
    return {**base, **differences}


def load_expectations(path: Path, *, missing_ok: bool = True) -> Expectations:
    """The file's expectations. A missing file is an empty table when ``missing_ok`` (the
    bundled file before its first recording), else a :class:`UsageError`; so is a file that
    is not TOML, or an entry that is not ``{ violations = [...], why = "..." }`` with known
    violation kinds."""
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError as e:
        if missing_ok:
            return {}
        raise UsageError(f"{path}: no such expectations file") from e
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(f"{path}: cannot read: {getattr(e, 'strerror', None) or e}") from e
    except tomllib.TOMLDecodeError as e:
        raise UsageError(f"{path}: not valid TOML: {e}") from e
    expectations: Expectations = {}
    for strategy, faults in data.items():
        if not isinstance(faults, dict):
            raise UsageError(f"{path}: {strategy!r} must be a table of faults")
        for fault, entry in faults.items():
            expectations[(strategy, fault)] = _entry(path, strategy, fault, entry)
    return expectations


def _entry(path: Path, strategy: str, fault: str, entry: object) -> Expectation:
    where = f"{path}: {strategy} x {fault}"
    if not isinstance(entry, dict) or not set(entry) <= {"violations", "why"}:
        raise UsageError(f'{where}: expected {{ violations = [...], why = "..." }}')
    violations, why = entry.get("violations", []), entry.get("why", "")
    if not isinstance(violations, list) or not isinstance(why, str):
        raise UsageError(f"{where}: violations must be a list, why a string")
    try:
        verdict_words(violations)
    except (ValueError, TypeError) as e:
        raise UsageError(f"{where}: unknown violation kind in {violations}") from e
    if UNEXERCISED in violations and not why.strip():
        raise UsageError(
            f"{where} expects {UNEXERCISED} without a why: a cell that tests nothing is recorded "
            "only with the reason its fault cannot strike"
        )
    return Expectation(tuple(sorted(violations)), why)


def dump_expectations(expectations: Expectations) -> str:
    """TOML text for ``expectations``: one table per strategy, in first-seen order."""
    by_strategy: dict[str, list[tuple[str, Expectation]]] = {}
    for (strategy, fault), expectation in expectations.items():
        by_strategy.setdefault(strategy, []).append((fault, expectation))
    blocks = []
    for strategy, entries in by_strategy.items():
        lines = [f"[{_key(strategy)}]"]
        for fault, expectation in entries:
            violations = ", ".join(f'"{v}"' for v in expectation.violations)
            why = _string(expectation.why)
            lines.append(f"{_key(fault)} = {{ violations = [{violations}], why = {why} }}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _key(name: str) -> str:
    """A bare key where TOML allows one (``safe``), else quoted (``"mymod:factory"``)."""
    return name if name and re.fullmatch(r"[A-Za-z0-9_-]+", name) else _string(name)
