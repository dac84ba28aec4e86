"""The bundled strategies' expected verdicts: measured, each non-trivial one with its why.

:data:`BUNDLED` is registered in ``pyproject.toml`` (entry-point group
``mysql_chaos.expectations``), beside the strategies it describes; ``chaos`` finds the files
there, as it finds the strategies, and holds no data about this package.
"""

from pathlib import Path

_HERE = Path(__file__).parent

#: Which file holds the expected verdicts of which cells: ``in-process`` for the matrix's
#: cells, ``app`` for ``matrix --app`` (each strategy serving the seed's app), measured on
#: MariaDB; ``...:mysql`` the cells where a run on Oracle MySQL (``--server mysql``) measures
#: otherwise, each with its why.
BUNDLED = {
    "in-process": _HERE / "expected_verdicts.toml",
    "app": _HERE / "app_expected_verdicts.toml",
    "in-process:mysql": _HERE / "expected_verdicts.mysql.toml",
    "app:mysql": _HERE / "app_expected_verdicts.mysql.toml",
}
