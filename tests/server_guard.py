"""The guard that turns a skip for lack of a server into a failure (hooked in tests/conftest.py).

The suite starts every server it tests against, so a test skipped because "no MariaDB" answered
went looking for a server it does not own: on a machine without one it would pass as a skip and
test nothing. (A module of its own, not conftest: several conftest modules share that name.)
"""

from __future__ import annotations

import re

import pytest

#: Skip reasons that mean "there was no server to test against".
NO_SERVER_REASON = re.compile(
    r"\bno (MySQL|MariaDB)\b|(MySQL|MariaDB|server)\b.*\bnot reachable|machine's (MySQL|MariaDB)",
    re.IGNORECASE,
)


def is_missing_server_reason(reason: str) -> bool:
    """True when a skip reason says the test had no server to run against."""
    return NO_SERVER_REASON.search(reason) is not None


def fail_a_missing_server_skip(report: pytest.TestReport) -> None:
    """Turn ``report`` into a failure when it is a skip for lack of a server."""
    if not (report.skipped and isinstance(report.longrepr, tuple)):
        return
    reason = str(report.longrepr[2]).removeprefix("Skipped: ")
    if is_missing_server_reason(reason):
        report.outcome = "failed"
        report.longrepr = (
            f"skipped for lack of a server ({reason}); the suite starts its own servers "
            "(tests/conftest.py), so no test may depend on one it does not own"
        )
