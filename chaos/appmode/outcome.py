"""What an HTTP answer says about an operation: ok, fail or unknown, as Jepsen would record it.

The seed's app answers a transfer with 200 (applied), 409 (certainly not applied: the strategy
said so, or the server refused) or 503 (the connection was lost: it may have been applied). Any
other 5xx is an app that broke in an unplanned way, so nothing is known; a timeout or a
connection error is unknown too (the request may have run). A 4xx other than 409 is a refusal
before any work: fail.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from chaos.workload.history import Operation, Phase, Result


def classify_answer(status: int) -> Result:
    """The outcome an HTTP status code stands for (see the module docstring)."""
    if 200 <= status < 400:
        return Result.OK
    if 400 <= status < 500:
        return Result.FAIL
    return Result.UNKNOWN


def answers_by_phase(operations: Iterable[Operation]) -> str:
    """One line for a report: 5xx answers and unanswered requests per phase, of all requests."""
    totals: Counter[str] = Counter()
    server_errors: Counter[str] = Counter()
    unanswered: Counter[str] = Counter()
    for op in operations:
        phase = str(op.phase)
        totals[phase] += 1
        kind = op.error_kind or ""
        if kind.startswith("http-5"):
            server_errors[phase] += 1
        elif kind in ("hang", "connection"):
            unanswered[phase] += 1
    phases = [str(phase) for phase in Phase if totals[str(phase)]]
    return "5xx per phase: " + ", ".join(
        f"{phase} {server_errors[phase]}/{totals[phase]}"
        + (f" (+{unanswered[phase]} unanswered)" if unanswered[phase] else "")
        for phase in phases
    )
