"""Library logs that faults provoke on purpose stay off stderr unless -v asks for them."""

from __future__ import annotations

from tests.cli.support import run_cli

# SQLAlchemy's pool logs "Exception during reset or similar" with a traceback for every
# connection a mid-transaction drop breaks: measured 5 per run of these two cells.
CELLS = (
    "matrix",
    "--strategy",
    "sqlalchemy-recycle",
    "--strategy",
    "sqlalchemy-pre-ping",
    "--fault",
    "mid-transaction-drop",
)


def test_a_passing_run_that_provokes_pool_errors_prints_no_traceback() -> None:
    result = run_cli(*CELLS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "Exception during reset" not in result.stderr


def test_verbose_shows_the_library_logs() -> None:
    # The same cells do provoke them: the quiet default above is the filter, not luck.
    result = run_cli("-v", *CELLS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "sqlalchemy.pool" in result.stderr and "Exception during reset" in result.stderr
