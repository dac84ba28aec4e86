"""Faults in the login handshake: a new connection is refused (1040, 1045, 1129) or its
greeting stalls, while the sessions the client already has are closed first.

Each adds one connect-time toxic of the embedded proxy (``mysql_login_error``,
``mysql_greeting_delay``: extensions of Toxiproxy's API, so a real Toxiproxy makes these faults
skip), which acts only on links that open while it is present, then closes every live link with
``mysql_close``: a client that holds connections has to open a new one during the fault, and
meets the handshake fault there. What struck is the toxic's count of new links it met (read on
heal): a client that never connected during the fault was not struck, whatever the close did.
"""

from __future__ import annotations

from typing import Any, ClassVar

from chaos.drivers import Connection, Driver
from chaos.fault_effect import FaultEffect
from chaos.faults.base import register_fault
from chaos.faults.client_actions import RECONNECT, ClientAction
from chaos.faults.produced import LOST_TIMED_OUT, TOO_MANY_CONNECTIONS
from chaos.faults.wire_faults import TOXIC_NAME, WireFault, find_toxic, toxic_strikes
from chaos.settings import ConnectionSettings

CLOSE_TOXIC_NAME = "chaos_login_close"


class LoginFault(WireFault):
    """A connect-time toxic on the downstream, added before every live link is closed."""

    stream = "downstream"
    # Back to back, a client that keeps its connection fails its first operation on the closed
    # link and reconnects for the second; 0.5 s apart, one that replaces its connection on a
    # timer (0.125 s scaled) has done so by the second, during the fault.
    fault_phase_operations = 2
    fault_phase_spacing = 0.5
    repro_action = RECONNECT
    #: What the toxic's strikes are, in the heal's words.
    struck_what: ClassVar[str] = "logins refused"

    def _inject(self) -> FaultEffect:
        proxy = self.target.proxy
        # The handshake toxic first: a client that reconnects the instant it is closed meets it.
        proxy.add_toxic(self.toxic_type, name=TOXIC_NAME, stream=self.stream, **self.attributes())
        proxy.add_toxic("mysql_close", name=CLOSE_TOXIC_NAME, stream="downstream", count=0)
        closed = toxic_strikes(proxy, CLOSE_TOXIC_NAME)
        proxy.remove_toxic(CLOSE_TOXIC_NAME)  # it acted as it was added; new links stay plain
        # The close is not the fault's strike: the struck count is the heal's (new logins).
        return FaultEffect(detail=f"{self.toxic_type} added; live links closed: {closed}")

    def _heal(self) -> FaultEffect:
        proxy = self.target.proxy
        # Either toxic may be missing: an inject that raised halfway left only what it added.
        if find_toxic(proxy, CLOSE_TOXIC_NAME) is not None:
            proxy.remove_toxic(CLOSE_TOXIC_NAME)
        strikes = toxic_strikes(proxy, TOXIC_NAME)
        if find_toxic(proxy, TOXIC_NAME) is not None:
            proxy.remove_toxic(TOXIC_NAME)
        return FaultEffect.counted(strikes, f"{self.toxic_type} removed: {self.struck_what}")


@register_fault
class LoginMaxConnectionsFault(LoginFault):
    name = "login-max-connections"
    description = "every session ends and the server refuses new logins: too many connections"
    mechanism = (
        "mysql_login_error toxic (code 1040): a link opened during the fault gets ERR 1040 "
        "where the greeting would be, then EOF; mysql_close first closes every live link"
    )
    produces = TOO_MANY_CONNECTIONS
    toxic_type = "mysql_login_error"

    @classmethod
    def toxic_attributes(cls) -> dict[str, Any]:
        return {"code": 1040}


@register_fault
class LoginAccessDeniedFault(LoginFault):
    name = "login-access-denied"
    description = (
        "every session ends and new logins are denied (a rotated password, a dropped grant)"
    )
    mechanism = (
        "mysql_login_error toxic (code 1045): a link opened during the fault gets ERR 1045, "
        "then EOF; mysql_close first closes every live link"
    )
    produces = "OperationalError(1045, 'Access denied for user (using password: YES)')"
    toxic_type = "mysql_login_error"

    @classmethod
    def toxic_attributes(cls) -> dict[str, Any]:
        return {"code": 1045}


@register_fault
class LoginHostBlockedFault(LoginFault):
    name = "login-host-blocked"
    description = "every session ends and the server blocks the client's host (max_connect_errors)"
    mechanism = (
        "mysql_login_error toxic (code 1129): a link opened during the fault gets ERR 1129, "
        "then EOF; mysql_close first closes every live link"
    )
    produces = (
        "OperationalError(1129, \"Host '127.0.0.1' is blocked because of many connection "
        "errors; unblock with 'mariadb-admin flush-hosts'\")"
    )
    toxic_type = "mysql_login_error"

    @classmethod
    def toxic_attributes(cls) -> dict[str, Any]:
        return {"code": 1129}


def _reconnect_with_read_timeout(
    driver: Driver, conn: Connection, settings: ConnectionSettings
) -> None:
    # connect_timeout covers the TCP connect only: without read_timeout PyMySQL waits for the
    # greeting as long as it takes (measured), and this would wait out the whole stall.
    driver.connect(settings, connect_timeout=1, read_timeout=1).close()


RECONNECT_WITH_READ_TIMEOUT = ClientAction(
    "a new connection, connect_timeout=1, read_timeout=1", _reconnect_with_read_timeout
)


@register_fault
class GreetingStallFault(LoginFault):
    """The stall is longer than the hard deadline: a client that waits for the greeting with
    no read timeout hangs there (PyMySQL's ``connect_timeout`` does not cover that read)."""

    name = "greeting-stall"
    description = (
        "every session ends and new connections get no greeting for many seconds (a server "
        "short of threads, a slow name lookup); established sessions answer as before"
    )
    mechanism = (
        "mysql_greeting_delay toxic: the first server packet of a link opened during the "
        "fault is held 30 s (released at heal); mysql_close first closes every live link"
    )
    produces = LOST_TIMED_OUT
    repro_action = RECONNECT_WITH_READ_TIMEOUT
    toxic_type = "mysql_greeting_delay"
    struck_what: ClassVar[str] = "greetings held"
    stall_ms: ClassVar[int] = 30_000

    @classmethod
    def toxic_attributes(cls) -> dict[str, Any]:
        return {"delay": cls.stall_ms}
