"""What one reproduction printed: the exception it gave, or why it was skipped or failed."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reproduction:
    """The outcome of one reproduction; exactly one of ``error``/``skipped``/``failure`` is set.

    ``error`` is the exception the client got (the thing shown); ``skipped`` is the pre-flight
    reason it could not run here; ``failure`` says, in one line, what went wrong instead (the
    environment or the fault raised, or the event gave no error).
    """

    name: str
    event: str
    injection: str
    seconds: float
    error: BaseException | None = None
    skipped: str | None = None
    failure: str | None = None
    #: The driver the client used (a name of :data:`chaos.drivers.DRIVERS`).
    driver: str = "pymysql"
