"""The fault catalogue (the nemesis): named real-world events with inject() and heal()."""

from chaos.faults import kernel_faults, proxy_faults, server_faults, sql_faults, wire_faults
from chaos.faults.base import FAULTS, Fault, FaultTarget, Need, register_fault

del kernel_faults, proxy_faults, server_faults, sql_faults, wire_faults

__all__ = ["FAULTS", "Fault", "FaultTarget", "Need", "register_fault"]
