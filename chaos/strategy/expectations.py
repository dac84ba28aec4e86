"""Expected verdicts, found beside the strategies they describe, through entry points.

A package that ships strategies ships their measured verdicts the same way, in the entry-point
group ``mysql_chaos.expectations``: each entry names a mapping of mode to file, ``in-process``
for the matrix's cells and ``app`` for ``matrix --app`` (either may be left out)::

    [project.entry-points."mysql_chaos.expectations"]
    my-pools = "mypkg.expectations:FILES"  # {"in-process": Path(__file__).parent / "x.toml"}

The files keep the format :mod:`chaos.verdicts.expectations` reads. The bundled distribution's
files come first; a cell (strategy x fault) recorded in two files is an error naming both. A
user's own file (``--expected FILE``, :mod:`chaos.strategy.own_expectations`) is merged over
them the same way.

:func:`expectations_for` is what every front end (``matrix``, ``check``, the pytest matrix)
holds its cells to: the recorded verdicts, and every unrecorded cell of a strategy that is not
bundled held to every invariant (:func:`chaos.verdicts.expectations.hold_unrecorded`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from chaos.errors import UsageError
from chaos.strategy.loading import import_object
from chaos.strategy.registry import bundled_strategies, is_bundled, ordered_entry_points
from chaos.verdicts.expectations import (
    Expectation,
    Expectations,
    dump_expectations,
    hold_unrecorded,
    load_expectations,
)

EXPECTATIONS_GROUP = "mysql_chaos.expectations"
IN_PROCESS = "in-process"
APP = "app"
MODES = (IN_PROCESS, APP)


@dataclass(frozen=True)
class ExpectationsFile:
    path: Path
    #: The bundled distribution's own file (the one ``--record-expected`` writes).
    bundled: bool


@dataclass(frozen=True)
class OwnExpectations:
    """A user's own file of expected verdicts, read and checked (``--expected FILE``)."""

    path: Path
    table: Expectations


def expectation_files(mode: str = IN_PROCESS) -> list[ExpectationsFile]:
    """Every registered file of expected verdicts for ``mode``, the bundled one first."""
    if mode not in MODES:
        raise ValueError(f"mode {mode!r}: expected one of {', '.join(MODES)}")
    files = []
    for entry in ordered_entry_points(EXPECTATIONS_GROUP):
        by_mode = import_object(entry.value, "expectations", "module:mapping")
        if not isinstance(by_mode, Mapping) or not set(by_mode) <= set(MODES):
            raise UsageError(
                f"{EXPECTATIONS_GROUP}: {entry.value} is not a mapping of "
                f"{' or '.join(MODES)} to a file"
            )
        if mode in by_mode:
            files.append(ExpectationsFile(Path(by_mode[mode]), is_bundled(entry)))
    return files


def expected_verdicts(mode: str = IN_PROCESS, own: OwnExpectations | None = None) -> Expectations:
    """Every registered package's expected verdicts for ``mode`` and the user's ``own``, as one
    table; a cell recorded in two places is a :class:`UsageError` naming both."""
    tables = [(file.path, load_expectations(file.path)) for file in expectation_files(mode)]
    if own is not None:
        tables.append((own.path, own.table))
    merged: Expectations = {}
    source: dict[tuple[str, str], Path] = {}
    for path, table in tables:
        for key, expectation in table.items():
            if key in source:
                raise UsageError(
                    f"{EXPECTATIONS_GROUP}: {key[0]} x {key[1]} is recorded in both "
                    f"{source[key]} and {path}"
                )
            source[key] = path
            merged[key] = expectation
    return merged


def expectations_for(
    strategies: Iterable[str],
    faults: Iterable[str],
    mode: str = IN_PROCESS,
    own: OwnExpectations | None = None,
) -> Expectations:
    """What the cells ``strategies`` x ``faults`` are held to, in every front end: the recorded
    verdicts (registered and ``own``), and check's rule, every invariant, for each unrecorded
    cell of a strategy that is not bundled (``module:factory``, another package's). A bundled
    strategy's unrecorded cell has no expectation and fails: the project's data is incomplete."""
    return hold_unrecorded(
        expected_verdicts(mode, own), strategies, faults, bundled=bundled_strategies()
    )


def recording_file(mode: str = IN_PROCESS) -> Path:
    """Where measured verdicts are recorded: the bundled distribution's file for ``mode``."""
    for file in expectation_files(mode):
        if file.bundled:
            return file.path
    raise UsageError(f"no bundled {mode} expectations file is registered in {EXPECTATIONS_GROUP}")


def record_verdicts(measured: Mapping[tuple[str, str], tuple[str, ...]], mode: str) -> Path:
    """Write the bundled strategies' ``measured`` violations into :func:`recording_file`,
    keeping each recorded why.

    A user's strategy is recorded in the user's own file
    (:func:`chaos.strategy.own_expectations.record_own_verdicts`), and a cell that another
    package's file records stays there: that package records its own.
    """
    target = recording_file(mode)
    foreign = {
        key
        for file in expectation_files(mode)
        if not file.bundled
        for key in load_expectations(file.path)
    }
    recorded = load_expectations(target)
    bundled = bundled_strategies()
    for key, violations in measured.items():
        if key not in foreign and key[0] in bundled:
            why = recorded[key].why if key in recorded else ""
            recorded[key] = Expectation(violations, why)
    target.write_text(dump_expectations(recorded))
    return target
