"""A server shutting down answers the statement it is running with 1053, then closes.

1053 (``ER_SERVER_SHUTDOWN``) is the error of a statement that a shutdown interrupts, as
clients meet it during restarts and failovers; an idle session is closed without a packet (the
``server-shutdown`` fault, as MariaDB 10.11 does). The statement is struck mid-transaction: the
first statement was applied and is rolled back by the close, so a client that retries only the
struck statement on a new connection half-applies its transaction. SQLAlchemy's disconnect
list misses 1053: its pool does not invalidate the connection.
"""

from __future__ import annotations

from typing import Any

from chaos.faults.base import register_fault
from chaos.faults.wire_faults import WireFault

SHUTDOWN_MESSAGE = "Server shutdown in progress"


@register_fault
class ShutdownMidQueryFault(WireFault):
    name = "shutdown-mid-query"
    description = "the server shuts down while a statement runs: 1053, then the session closes"
    mechanism = (
        "mysql_error toxic 1053 on the second statement of a transaction that writes: the ERR "
        "is the statement's answer, then the link is closed (the server rolls back)"
    )
    produces = f"OperationalError(1053, '{SHUTDOWN_MESSAGE}')"
    toxic_type = "mysql_error"
    # Not in app mode's default set: every bundled strategy's verdict here is one the default
    # set already shows for it, and an app cell costs about 10 s (measured).
    app_mode_default = False

    @classmethod
    def toxic_attributes(cls) -> dict[str, Any]:
        return {
            "code": 1053,
            "state": "08S01",
            "message": SHUTDOWN_MESSAGE,
            "transaction": "in",
            "position": 2,
            "writes": 1,
        }
