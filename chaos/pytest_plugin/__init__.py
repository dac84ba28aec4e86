"""The pytest plugin (entry point ``pytest11``): mysql-chaos faults in a user's own test suite.

``plugin`` holds the hooks and the one option group, ``fixtures`` the fixtures (a disposable
server, a Toxiproxy, a proxy in front of the server, a fault of the catalogue set up for one
test), ``matrix_items`` the strategy x fault cells as pytest items (``--mysql-chaos-matrix``).
"""

from chaos.pytest_plugin.fault_under_test import FaultUnderTest

__all__ = ["FaultUnderTest"]
