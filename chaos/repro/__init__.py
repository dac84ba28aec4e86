"""Reproductions of "MySQL server has gone away" and its relatives: every fault, then extras."""

from chaos.repro.catalogue import entries, names, reproduce, select
from chaos.repro.extras import EXTRAS, Extra, run_extra
from chaos.repro.fault_repro import reproduce_fault
from chaos.repro.outcome import Reproduction

__all__ = [
    "EXTRAS",
    "Extra",
    "Reproduction",
    "entries",
    "names",
    "reproduce",
    "reproduce_fault",
    "run_extra",
    "select",
]
