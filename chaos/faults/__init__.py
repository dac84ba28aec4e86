"""The fault catalogue (the nemesis): named real-world events with inject() and heal().

Every module of this package is imported here, in the order of their names, and each fault
registers itself (``@register_fault``): a new fault is a module of its own, with no line to add
anywhere else. The catalogue's order is that of the modules, then of the classes in each.
"""

import importlib
import pkgutil

from chaos.faults.base import FAULTS, Fault, FaultTarget, Need, register_fault

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
del _module

__all__ = ["FAULTS", "Fault", "FaultTarget", "Need", "register_fault"]
