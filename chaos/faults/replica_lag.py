"""A replica that has not caught up answers reads: the read-after-write of a read-splitting client.

Managed databases (RDS and Aurora read endpoints, ProxySQL's read/write split, a Django database
router) send reads to replicas that apply the primary's binary log a moment later, or minutes
later under load. A client that writes on the primary and then reads on a replica sees the world
before its own acknowledged write: no error, an old answer.

Here the replica is real (:mod:`chaos.servers.replication`): inject stops its SQL thread, so the
primary keeps acknowledging writes the replica does not apply; heal starts it and waits until
the replica has applied everything the primary logged (``MASTER_GTID_WAIT``). What struck is
counted on the replica's side: the SELECTs it answered while it lagged (its ``Com_select``,
which the suite's own statements between the two readings do not touch). A strategy that never
reads there was not struck: its cell is unexercised, never a pass. MariaDB only.
"""

from __future__ import annotations

from typing import Any

from chaos.drivers import Connection, Driver
from chaos.errors import ChaosError
from chaos.fault_effect import FaultEffect
from chaos.faults.base import Fault, Need, register_fault
from chaos.faults.client_actions import TABLE, ClientAction
from chaos.servers.replication import catch_up
from chaos.settings import ConnectionSettings

#: Seconds heal waits for the replica to apply what it held back (a few hundred transactions).
CATCH_UP_TIMEOUT = 10.0


class StaleReadSeen(ChaosError):
    """What ``repro`` names a stale read: the client got no error, only an old answer."""


def _write_then_read_replica(
    driver: Driver, conn: Connection, settings: ConnectionSettings
) -> None:
    """Acknowledged on the primary, then read on the replica (``settings`` leads there)."""
    with conn.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET n = n + 1 WHERE id = 1")
        conn.commit()
        cursor.execute(f"SELECT n FROM {TABLE} WHERE id = 1")
        (written,) = cursor.fetchone()
    replica = driver.connect(settings, connect_timeout=2)
    try:
        with replica.cursor() as cursor:
            cursor.execute(f"SELECT n FROM {TABLE} WHERE id = 1")
            (seen,) = cursor.fetchone()
    finally:
        replica.close()
    if seen != written:
        raise StaleReadSeen(
            f"the replica answered n = {seen} after the primary acknowledged n = {written}"
        )


#: ``repro``: the client's connection writes on the primary; the read goes to the replica.
WRITE_THEN_READ_REPLICA = ClientAction(
    "UPDATE + COMMIT on the primary, then SELECT on the replica",
    _write_then_read_replica,
    needs_table=True,
    reads_replica=True,
)


@register_fault
class ReplicaLagReadFault(Fault):
    name = "replica-lag-read"
    description = (
        "reads after an acknowledged write land on a replica that has not applied it yet "
        "(a read/write split behind a lagging replica)"
    )
    mechanism = (
        "STOP SLAVE SQL_THREAD on a real GTID replica (the primary keeps acknowledging); heal "
        "starts it and waits with MASTER_GTID_WAIT for the primary's gtid_binlog_pos"
    )
    needs = frozenset({Need.PROCESS, Need.REPLICA})
    produces = "StaleReadSeen('the replica answered n = 0 after the primary acknowledged n = 1')"
    repro_action = WRITE_THEN_READ_REPLICA
    # The reader reads several times while the writers' transfers are acknowledged: spaced, so
    # each read after the first begins after some transfer of the phase was acknowledged.
    fault_phase_operations = 3
    fault_phase_spacing = 0.1
    # Only a strategy that splits reads meets it; for the others every cell is unexercised.
    only_when_named = True
    not_in_app_mode = (
        "an app under test gets one database URL, and a replica's needs a read/write split the "
        "app would have to make itself"
    )

    def __init__(self, target: Any) -> None:
        super().__init__(target)
        self._selects_before = 0

    def prepare(self) -> None:
        # The cell's schema was made on the primary: the replica holds it before anyone reads.
        catch_up(self.target.server, self.target.replica, CATCH_UP_TIMEOUT)

    def _inject(self) -> FaultEffect:
        replica = self.target.replica
        replica.query("STOP SLAVE SQL_THREAD")
        self._selects_before = _selects(replica)
        return FaultEffect(detail="replica's SQL thread stopped: it applies nothing more")

    def _heal(self) -> FaultEffect:
        replica = self.target.replica
        # Counted before the suite's own SELECT below (MASTER_GTID_WAIT) adds to it.
        reads = _selects(replica) - self._selects_before
        replica.query("START SLAVE SQL_THREAD")
        position = catch_up(self.target.server, replica, CATCH_UP_TIMEOUT)
        detail = f"replica caught up to {position}"
        if reads == 0:
            return FaultEffect(False, 0, f"no read reached the lagging replica; {detail}")
        return FaultEffect(True, reads, f"{reads} reads answered by the lagging replica; {detail}")


def _selects(server: Any) -> int:
    """The server's ``Com_select``: SELECTs answered since it started (SHOW is not one)."""
    rows = server.query("SHOW GLOBAL STATUS LIKE 'Com_select'")
    return int(rows[0][1])
