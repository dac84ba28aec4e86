"""The first transfer after a reconnect loses its link: what a reconnect left of the session
(autocommit above all) decides whether that transfer is all-or-nothing."""

from __future__ import annotations

from typing import Any

from chaos.drivers import Connection, Driver
from chaos.fault_effect import FaultEffect
from chaos.faults.base import register_fault
from chaos.faults.client_actions import TRANSACTION, ClientAction
from chaos.faults.produced import LOST
from chaos.faults.wire_faults import TOXIC_NAME, WireFault, find_toxic, toxic_strikes
from chaos.settings import ConnectionSettings

CLOSE_TOXIC_NAME = "chaos_wire_close"


def _reconnect_and_transact(driver: Driver, conn: Connection, settings: ConnectionSettings) -> None:
    again = driver.connect(settings, connect_timeout=2, read_timeout=10)
    try:
        driver.begin(again)
        with again.cursor() as cursor:
            for sql in TRANSACTION:
                cursor.execute(sql)
        again.commit()
    finally:
        again.close()


#: The old connection is closed by the fault: a new one meets the cut in its transaction.
RECONNECT_AND_TRANSACT = ClientAction(
    "a new connection: BEGIN, two UPDATEs, COMMIT", _reconnect_and_transact, needs_table=True
)


@register_fault
class ReconnectDropFault(WireFault):
    name = "reconnect-drop"
    repro_action = RECONNECT_AND_TRANSACT
    description = (
        "every session ends (a failover), and the link dies again in the first transaction "
        "on a reconnected link"
    )
    mechanism = (
        "mysql_close toxic closes every live link; a mysql_cut toxic on links opened later "
        "cuts the first transfer after its first write (a transfer that reconnected with "
        "autocommit on has committed that write alone)"
    )
    produces = LOST
    toxic_type = "mysql_cut"
    # A client that does not check its connection loses the first operation to the close and
    # reconnects for the second: both kinds of client meet the cut during the fault. The
    # second comes 0.5 s into the fault, past the scaled 0.125 s recycle: a client that
    # replaces its connection only on a timer has replaced it by then, whatever the load (back
    # to back, both failed at once on the closed link and the timer ran out after heal).
    fault_phase_operations = 2
    fault_phase_spacing = 0.5

    @classmethod
    def toxic_attributes(cls) -> dict[str, Any]:
        return {"statements": 1, "transaction": "any", "writes": 1, "new_links": 1}

    def _inject(self) -> FaultEffect:
        proxy = self.target.proxy
        # The cut first: a client that reconnects before the close is added still meets it.
        proxy.add_toxic(self.toxic_type, name=TOXIC_NAME, stream="upstream", **self.attributes())
        proxy.add_toxic("mysql_close", name=CLOSE_TOXIC_NAME, stream="downstream")
        # The close acts on the live links as it is added (the API answers once it has met
        # each): its strikes now are the links it closed, a client that never reconnects too.
        return FaultEffect.counted(
            toxic_strikes(proxy, CLOSE_TOXIC_NAME), "mysql_close: live links closed"
        )

    def _heal(self) -> FaultEffect:
        # The cut's strikes, read on heal: transfers cut on a link opened during the fault.
        proxy = self.target.proxy
        if find_toxic(proxy, CLOSE_TOXIC_NAME) is not None:
            proxy.remove_toxic(CLOSE_TOXIC_NAME)
        strikes = toxic_strikes(proxy, TOXIC_NAME)
        proxy.remove_toxic(TOXIC_NAME)
        return FaultEffect.counted(strikes, "mysql_cut removed: transfers cut on new links")
