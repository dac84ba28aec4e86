"""mysql-chaos: make "MySQL server has gone away" happen on demand and judge how clients recover.

Subpackages follow the data flow: ``servers`` / ``netns`` / ``toxiproxy`` / ``faults`` (the
nemesis) -> ``apps.strategies`` (the clients) -> ``workload`` (operations and their history) ->
``checker`` (verdicts) -> ``reports``. Only ``chaos.runner`` wires them together.
"""

__version__ = "0.1.0"
