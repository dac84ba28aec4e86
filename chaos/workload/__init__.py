"""The workload (Jepsen's client and generator): a bank driven through a strategy.

``bank`` holds the SQL, ``generator`` says what each worker does next, ``driver`` runs worker
threads and records every operation into a ``history``; ``state`` is the final bank as data.
"""

from chaos.workload.bank import create_schema, read_state, read_unit, transfer_unit
from chaos.workload.driver import WorkloadDriver
from chaos.workload.history import (
    HANG,
    CellMeta,
    History,
    Kind,
    Operation,
    Phase,
    PhaseSpan,
    Result,
    RunRecord,
    load_jsonl,
    save_jsonl,
)
from chaos.workload.state import BankState

__all__ = [
    "HANG",
    "BankState",
    "CellMeta",
    "History",
    "Kind",
    "Operation",
    "Phase",
    "PhaseSpan",
    "Result",
    "RunRecord",
    "WorkloadDriver",
    "create_schema",
    "load_jsonl",
    "read_state",
    "read_unit",
    "save_jsonl",
    "transfer_unit",
]
