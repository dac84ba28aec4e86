"""A user's own expected verdicts, kept in the user's repository: ``--expected FILE`` reads them,
``--record-expected FILE`` writes what was measured.

Only a user's strategies are recorded there (``module:factory``, or registered by another
package), in the format of the bundled file (:mod:`chaos.verdicts.expectations`); a cell that a
registered file records stays there. Recording keeps every ``why`` already written, and a new
cell gets an empty one, as the bundled ``--record-expected`` does: say why a strategy of yours
is expected to violate an invariant before you commit the file. The file is never written into
the installed package (site-packages, or this distribution's own directories): it would be
lost with the next install and shared by every project using that environment.
"""

from __future__ import annotations

import sysconfig
from collections.abc import Iterable, Mapping
from pathlib import Path

from chaos.errors import UsageError
from chaos.strategy.expectations import (
    MODES,
    OwnExpectations,
    expectation_files,
    expected_verdicts,
)
from chaos.strategy.registry import bundled_strategies, strategies
from chaos.verdicts.expectations import Expectation, dump_expectations, load_expectations

EXPECTED_OPTION = "--expected"
RECORD_OPTION = "--record-expected"


def read_own_expectations(path: str | Path, option: str = EXPECTED_OPTION) -> OwnExpectations:
    """The file, checked: it exists, is TOML in the expectations format, and names only known
    faults and strategies (a registered name, or ``module:factory``). Bad input is one line."""
    target = Path(path)
    try:
        table = load_expectations(target, missing_ok=False)
    except UsageError as e:
        raise UsageError(f"{option} {e}") from e
    for strategy, fault in table:
        _check_names(option, target, strategy, fault)
    return OwnExpectations(target, table)


def _check_names(option: str, path: Path, strategy: str, fault: str) -> None:
    from chaos.faults import FAULTS

    where = f"{option} {path}: {strategy} x {fault}"
    if fault not in FAULTS:
        raise UsageError(f"{where}: unknown fault {fault!r}")
    module, sep, attribute = strategy.partition(":")
    if sep and not (module and attribute):
        raise UsageError(f"{where}: a strategy is a registered name or module:factory")
    if not sep and strategy not in strategies():
        raise UsageError(f"{where}: unknown strategy {strategy!r} (not registered)")


def installed_directories() -> list[Path]:
    """Where an installed package lives: site-packages, and this distribution's own
    directories (an editable install's too: they are the project's, not the user's)."""
    places = {Path(sysconfig.get_paths()[key]) for key in ("purelib", "platlib")}
    places.add(Path(__file__).resolve().parents[1])  # the chaos package
    for mode in MODES:
        places.update(file.path.parent for file in expectation_files(mode) if file.bundled)
    return sorted(place.resolve() for place in places)


def refuse_installed(option: str, path: str | Path) -> Path:
    """``path``, unless it lies inside an installed package: then one line saying so."""
    target = Path(path)
    resolved = target.resolve()
    for place in installed_directories():
        if resolved.is_relative_to(place):
            raise UsageError(
                f"{option} {path}: inside the installed package ({place}); keep your "
                "expectations in your own repository"
            )
    return target


def check_record_target(path: str, option: str = RECORD_OPTION) -> Path:
    """Before any cell runs: ``path`` is outside the installed package and, when it exists
    already, a valid expectations file (its whys are kept). Whether it can be written is the
    front end's check, as for a report file."""
    if not path:
        raise UsageError(f"{option} needs a file name")
    target = refuse_installed(option, path)
    if target.exists():
        read_own_expectations(target, option)
    return target


def own_strategies(names: Iterable[str]) -> list[str]:
    """The user's strategies among ``names``: those not bundled."""
    bundled = bundled_strategies()
    return [name for name in names if name not in bundled]


def record_own_verdicts(
    measured: Mapping[tuple[str, str], tuple[str, ...]], path: Path, mode: str
) -> tuple[Path, int, list[tuple[str, str]]]:
    """Write the user's strategies' cells of ``measured`` into ``path``, keeping each recorded
    why; returns the path, how many cells were written and those whose expected violations
    have no why yet."""
    registered = expected_verdicts(mode)
    recorded = load_expectations(path) if path.exists() else {}
    written = 0
    for key, violations in measured.items():
        if key in registered or not own_strategies([key[0]]):
            continue
        why = recorded[key].why if key in recorded else ""
        recorded[key] = Expectation(violations, why)
        written += 1
    path.write_text(dump_expectations(recorded))
    unexplained = [key for key, e in recorded.items() if e.violations and not e.why]
    return path, written, unexplained
