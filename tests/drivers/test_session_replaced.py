"""mysql-connector's C extension reconnects silently on a ping once the kernel has declared its
socket dead; the driver adapter's ping says so (:class:`SessionReplacedError`, a disconnect to
the taxonomy), so a strategy never runs a transaction on a session it did not set up."""

from __future__ import annotations

import pytest

from chaos.drivers import Connection, Driver, SessionReplacedError
from chaos.faults.client_actions import ClientAction
from chaos.faults.kernel_faults import MiddleboxDropFault
from chaos.repro import reproduce_fault
from chaos.settings import ConnectionSettings
from chaos.taxonomy import classify, is_disconnect, may_have_run

from .conftest import loaded


def test_a_replaced_session_is_a_disconnect_that_may_have_run():
    error = SessionReplacedError(5, 6)
    assert classify(error).name == "SESSION_REPLACED"
    assert is_disconnect(error) and may_have_run(error)
    assert "session 5 was silently replaced by session 6" in str(error)


@pytest.mark.parametrize("name", ["connector-c", "connector-pure"])
def test_a_ping_after_a_middlebox_forgot_the_flow_never_passes_on_another_session(name):
    driver = loaded(name)
    seen: list[BaseException] = []

    def ping(driver: Driver, conn: Connection, settings: ConnectionSettings) -> None:
        before = driver.thread_id(conn)
        try:
            driver.ping(conn)
        except Exception as e:
            seen.append(e)
            raise
        seen.append(AssertionError(f"ping passed on session {driver.thread_id(conn)}/{before}"))

    class PingAfterMiddleboxDrop(MiddleboxDropFault):
        repro_action = ClientAction("the driver adapter's ping", ping)

    result = reproduce_fault(PingAfterMiddleboxDrop, driver=driver)
    assert result.skipped is None
    assert len(seen) == 1 and is_disconnect(seen[0]), seen
    # The C extension answers the ping on a new session; the pure driver cannot reconnect.
    assert isinstance(seen[0], SessionReplacedError) == (name == "connector-c"), seen
