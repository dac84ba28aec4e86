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

Those are MariaDB's verdicts. A key ``MODE:FLAVOUR`` (``in-process:mysql``, ``app:mysql``) names
the file of the cells where a run on that server flavour measures otherwise: a run on it is held
to the mode's table with those cells laid over it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from chaos.errors import UsageError
from chaos.strategy.loading import import_object
from chaos.strategy.registry import bundled_strategies, is_bundled, ordered_entry_points
from chaos.verdicts.expectations import (
    BASE_FLAVOUR,
    FLAVOURS,
    Expectation,
    Expectations,
    dump_expectations,
    hold_unrecorded,
    load_expectations,
    overlay,
)

EXPECTATIONS_GROUP = "mysql_chaos.expectations"
IN_PROCESS = "in-process"
APP = "app"
MODES = (IN_PROCESS, APP)


def table_key(mode: str, flavour: str = BASE_FLAVOUR) -> str:
    """The entry point mapping's key for ``mode`` on ``flavour``: ``app``, ``app:mysql``."""
    return mode if flavour == BASE_FLAVOUR else f"{mode}:{flavour}"


#: Every key an entry point's mapping may hold.
TABLE_KEYS = tuple(table_key(mode, flavour) for flavour in FLAVOURS for mode in MODES)


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


def expectation_files(
    mode: str = IN_PROCESS, flavour: str = BASE_FLAVOUR
) -> list[ExpectationsFile]:
    """Every registered file of expected verdicts for ``mode`` (on ``flavour``: of the cells
    where it differs), the bundled one first."""
    if mode not in MODES:
        raise ValueError(f"mode {mode!r}: expected one of {', '.join(MODES)}")
    if flavour not in FLAVOURS:
        raise ValueError(f"flavour {flavour!r}: expected one of {', '.join(FLAVOURS)}")
    key = table_key(mode, flavour)
    files = []
    for entry in ordered_entry_points(EXPECTATIONS_GROUP):
        by_mode = import_object(entry.value, "expectations", "module:mapping")
        if not isinstance(by_mode, Mapping) or not set(by_mode) <= set(TABLE_KEYS):
            raise UsageError(
                f"{EXPECTATIONS_GROUP}: {entry.value} is not a mapping of "
                f"{' or '.join(MODES)} (or MODE:FLAVOUR, {', '.join(TABLE_KEYS[len(MODES) :])}) "
                "to a file"
            )
        if key in by_mode:
            files.append(ExpectationsFile(Path(by_mode[key]), is_bundled(entry)))
    return files


def expected_verdicts(
    mode: str = IN_PROCESS, flavour: str = BASE_FLAVOUR, own: OwnExpectations | None = None
) -> Expectations:
    """Every registered package's expected verdicts for ``mode`` on ``flavour`` (the base
    flavour's, with the cells another flavour records laid over them) and the user's ``own``,
    as one table; a cell recorded in two places is a :class:`UsageError` naming both."""
    tables = [(file.path, load_expectations(file.path)) for file in expectation_files(mode)]
    if own is not None:
        tables.append((own.path, own.table))
    base = _merged(tables)
    if flavour == BASE_FLAVOUR:
        return base
    differing = [
        (file.path, load_expectations(file.path)) for file in expectation_files(mode, flavour)
    ]
    return overlay(base, _merged(differing))


def _merged(tables: list[tuple[Path, Expectations]]) -> Expectations:
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
    flavour: str = BASE_FLAVOUR,
) -> Expectations:
    """What the cells ``strategies`` x ``faults`` are held to, in every front end: the recorded
    verdicts (registered and ``own``), and check's rule, every invariant, for each unrecorded
    cell of a strategy that is not bundled (``module:factory``, another package's). A bundled
    strategy's unrecorded cell has no expectation and fails: the project's data is incomplete."""
    return hold_unrecorded(
        expected_verdicts(mode, flavour, own), strategies, faults, bundled=bundled_strategies()
    )


def recording_file(mode: str = IN_PROCESS, flavour: str = BASE_FLAVOUR) -> Path:
    """Where measured verdicts are recorded: the bundled distribution's file for ``mode`` on
    ``flavour``."""
    for file in expectation_files(mode, flavour):
        if file.bundled:
            return file.path
    key = table_key(mode, flavour)
    raise UsageError(f"no bundled {key} expectations file is registered in {EXPECTATIONS_GROUP}")


def record_verdicts(
    measured: Mapping[tuple[str, str], tuple[str, ...]], mode: str, flavour: str = BASE_FLAVOUR
) -> Path:
    """Write ``measured`` violations into :func:`recording_file`, keeping each recorded why.

    A user's strategy is recorded in the user's own file
    (:func:`chaos.strategy.own_expectations.record_own_verdicts`), and a cell that another
    package's file records stays there: that package records its own. On
    another flavour than the base one, only the cells that differ from the base table are kept.
    """
    target = recording_file(mode, flavour)
    foreign = {
        key
        for file in [*expectation_files(mode), *expectation_files(mode, flavour)]
        if not file.bundled
        for key in load_expectations(file.path)
    }
    base = (
        _merged([(file.path, load_expectations(file.path)) for file in expectation_files(mode)])
        if flavour != BASE_FLAVOUR
        else {}
    )
    recorded = load_expectations(target)
    bundled = bundled_strategies()
    for key, violations in measured.items():
        if key in foreign or key[0] not in bundled:
            continue
        if key in base and base[key].violations == violations:
            recorded.pop(key, None)  # the flavour measures what the base table records
            continue
        why = recorded[key].why if key in recorded else ""
        recorded[key] = Expectation(violations, why)
    body = dump_expectations(recorded) if recorded else ""
    target.write_text(_leading_comments(target) + body)
    return target


def _leading_comments(path: Path) -> str:
    """The comment lines a file starts with (what a flavour's file says of itself), kept."""
    try:
        lines = path.read_text().splitlines(keepends=True)
    except FileNotFoundError:
        return ""
    kept = []
    for line in lines:
        if not line.startswith("#"):
            break
        kept.append(line)
    return "".join(kept) + ("\n" if kept else "")
