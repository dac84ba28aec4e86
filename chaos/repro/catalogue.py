"""Everything ``repro`` shows, in order: every fault of the catalogue, then the extras.

The seed's own error (middlebox-drop) comes first. A name is either a fault (run through its
Fault class in a cell environment) or an extra (an event no fault makes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chaos.drivers import Driver
from chaos.errors import UnknownNameError
from chaos.faults import FAULTS, Need
from chaos.repro.extras import EXTRAS, run_extra
from chaos.repro.fault_repro import reproduce_fault
from chaos.repro.outcome import Reproduction
from chaos.runner.environment import Backend

SEED = "middlebox-drop"
EXTRAS_ON_DEFAULT_SERVER_ONLY = "the extras run on the default server (mariadbd on PATH) only"


@dataclass(frozen=True)
class Entry:
    name: str
    event: str
    kind: str  # "fault" or "extra"


def entries() -> list[Entry]:
    """Every reproduction in the order ``repro`` runs them."""
    faults = [Entry(n, f.description, "fault") for n, f in FAULTS.items()]
    faults.sort(key=lambda entry: entry.name != SEED)  # stable: the rest keep registry order
    return faults + [Entry(n, e.event, "extra") for n, e in EXTRAS.items()]


def names() -> list[str]:
    return [entry.name for entry in entries()]


def select(wanted: list[str] | tuple[str, ...]) -> list[str]:
    """``wanted`` in run order (all when empty); an unknown name raises listing the valid ones."""
    valid = names()
    for name in wanted:
        if name not in valid:
            raise UnknownNameError(
                f"unknown repro variant {name!r}; valid names: {', '.join(valid)}"
            )
    return [name for name in valid if not wanted or name in wanted]


def faults_of(selected: list[str]) -> list[Any]:
    return [FAULTS.get(name) for name in selected if name in FAULTS]


def needs_toxiproxy(selected: list[str]) -> bool:
    return any(Need.PROXY in fault.needs for fault in faults_of(selected))


def reproduce(
    name: str,
    toxiproxy: Any = None,
    backend: Backend | None = None,
    driver: Driver | None = None,
) -> Reproduction:
    """Run the reproduction called ``name`` once with ``driver``'s client (PyMySQL by default;
    ``toxiproxy`` for proxy and wire faults)."""
    if name in FAULTS:
        return reproduce_fault(FAULTS.get(name), toxiproxy, backend, driver=driver)
    item = EXTRAS.get(name)
    if backend is not None and backend.server_binary:
        return Reproduction(
            item.name, item.event, item.injection, 0.0, skipped=EXTRAS_ON_DEFAULT_SERVER_ONLY
        )
    return run_extra(item, driver=driver)
