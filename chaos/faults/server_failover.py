"""A managed failover (Aurora, RDS, ProxySQL, Orchestrator): the writer is demoted under live
connections and the endpoint moves to a new writer that holds the same data.

What a client meets, in order, as in the field: while the failover runs, the old writer is
read-only and its sessions stay up, so every write is answered 1290 (``--read-only``), COMMIT of
a transaction that wrote included, and reads still work; then the endpoint moves (a DNS flip,
a proxy re-pointed) and the old sessions are closed without a word; new connections reach the
new writer. SQLAlchemy's list of disconnect errors holds neither 1290 nor 1053: a pool keeps a
connection to a read-only writer.

Here the disposable server is really set read-only (the server, not the proxy, refuses the
writes, so nothing the server would refuse gets through, nothing it would take is refused).
Heal is the failover's end: the cell's database is copied to the standby while the old writer
takes no writes (read-only came first: no write acknowledged by the old writer can miss the
copy), then the proxy's upstream is pointed at the standby, which closes every live link, and
the target is swapped: ``server`` and ``admin_settings`` are the new writer's, so the state that
is judged is the one the endpoint leads to. The old writer stays read-only until the cell ends.
"""

from __future__ import annotations

import logging
from types import MappingProxyType

from chaos.fault_effect import FaultEffect
from chaos.faults.base import Fault, Need, register_fault
from chaos.faults.client_actions import TRANSACTION_OF_TWO
from chaos.servers.database_copy import copy_database

log = logging.getLogger(__name__)

READ_ONLY_MESSAGE = (
    "The MariaDB server is running with the --read-only option so it cannot execute this statement"
)
#: The same refusal from Oracle MySQL: the code and the words are MariaDB's, the name is its own.
MYSQL_READ_ONLY_MESSAGE = READ_ONLY_MESSAGE.replace("MariaDB", "MySQL")


@register_fault
class FailoverDemotionFault(Fault):
    name = "failover-demotion"
    description = (
        "a managed failover: the writer turns read-only under live connections, then the "
        "endpoint moves to a new writer with the same data"
    )
    mechanism = (
        "SET GLOBAL read_only=1 on the writer (writes and their COMMIT get 1290, sessions stay "
        "up); heal copies the database to a standby and points the proxy there (live links "
        "closed, no packet)"
    )
    needs = frozenset({Need.PROXY, Need.PROCESS, Need.STANDBY})
    produces = f"OperationalError(1290, '{READ_ONLY_MESSAGE}')"
    # Measured on MySQL 9.7.4 (`repro --server mysql`): the same 1290, the server named MySQL.
    produces_by_flavour = MappingProxyType(
        {"mysql": f"OperationalError(1290, '{MYSQL_READ_ONLY_MESSAGE}')"}
    )
    # The writes of a transaction meet the read-only writer: a lone SELECT would not.
    # Not in app mode's default set: every bundled strategy's verdict here is one the default
    # set already shows for it, and an app cell costs about 10 s (measured).
    app_mode_default = False
    repro_action = TRANSACTION_OF_TWO

    def _inject(self) -> FaultEffect:
        # Not set_server_global(): the demoted writer is never promoted back (close() would put
        # the old value back), it is replaced; the cell's end stops it.
        self.target.server.set_global("read_only", 1)
        return FaultEffect(detail="writer set read-only")

    def _heal(self) -> FaultEffect:
        target = self.target
        old, new = target.server, target.standby
        # Retried after a failure part way: the copy replaces the standby's tables, the
        # re-pointing is idempotent, and the swap below is the last step.
        rows = copy_database(target.admin_settings, new.admin_settings)
        sessions = self._client_sessions(old)
        upstream = new.settings
        target.proxy.set_upstream(f"{upstream.host}:{upstream.port}")
        target.server, target.standby = new, old
        target.admin_settings = new.admin_settings
        log.info("failed over to %s: %d rows, %d sessions closed", new.describe(), rows, sessions)
        detail = f"copied {rows} rows to the standby, endpoint moved there: sessions closed"
        if sessions == 0:
            # No session was open at the flip; the writes refused with 1290 before it are not
            # counted (the server keeps no count of them): whether it struck is not known.
            return FaultEffect(None, None, detail + " (none open); 1290 answers not counted")
        return FaultEffect(True, sessions, detail)

    def _client_sessions(self, server: object) -> int:
        """Sessions of the client's account on ``server``: every one goes through the proxy,
        whose restart closes them all."""
        user = self.target.client_settings.user
        rows = server.query("SHOW PROCESSLIST")  # type: ignore[attr-defined]
        return sum(1 for row in rows if row[1] == user)
