"""The errors a client meets that no fault of the catalogue makes: the repro's extras.

Each extra opens a connection of the chosen driver (PyMySQL by default), makes a real event happen
to it and returns the exception the driver raised. An extra that needs the kernel raises
:class:`~chaos.errors.CapabilityMissingError` where it cannot run (a skip).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from chaos.drivers import Connection, Driver
from chaos.drivers import driver as driver_named
from chaos.errors import CapabilityMissingError, ChaosError, error_summary
from chaos.netns import Firewall, NetworkNamespace, require_net_admin
from chaos.registry import Registry
from chaos.repro.outcome import Reproduction
from chaos.servers.local import LocalServer


@dataclass(frozen=True)
class Extra:
    name: str
    event: str  # the real-world event
    injection: str  # how it is made to happen here
    run: Callable[[Driver], BaseException]


EXTRAS: Registry[Extra] = Registry("repro extra")


def extra(
    name: str, event: str, injection: str
) -> Callable[[Callable[[Driver], BaseException]], None]:
    def register(function: Callable[[Driver], BaseException]) -> None:
        EXTRAS.add(name, Extra(name, event, injection, function))

    return register


def run_extra(item: Extra, driver: Driver | None = None) -> Reproduction:
    """Run ``item`` once with ``driver``'s client; a missing capability is a skip, anything
    else raised a failure."""
    driver = driver or driver_named()
    started = time.monotonic()

    def outcome(**fields: object) -> Reproduction:
        return Reproduction(
            item.name,
            item.event,
            item.injection,
            time.monotonic() - started,
            driver=driver.name,
            **fields,
        )

    try:
        error = item.run(driver)
    except CapabilityMissingError as e:
        return outcome(skipped=str(e))
    except Exception as e:
        return outcome(failure=error_summary(e))
    return outcome(error=error)


def _query_error(driver: Driver, conn: Connection, sql: str = "SELECT 1") -> BaseException:
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql)
    except driver.error_class() as e:
        return e
    raise ChaosError("the query unexpectedly succeeded: the event did not take effect")


@contextlib.contextmanager
def _namespaced_server() -> Iterator[tuple[LocalServer, Firewall]]:
    require_net_admin()
    with NetworkNamespace() as namespace:
        with LocalServer(preexec=namespace.preexec()) as server:
            firewall = Firewall(namespace, server.settings.port)
            try:
                with namespace.entered():
                    yield server, firewall
            finally:
                firewall.clear()


@extra(
    "reset-during-query",
    "the connection is reset while a query is on its way",
    "namespace; nftables answers the query's packet with TCP RST",
)
def _reset_during_query(driver: Driver) -> BaseException:
    # Unlike middlebox-reset (the RST meets an idle connection), the query itself draws it.
    with _namespaced_server() as (server, firewall):
        conn = driver.connect(server.settings)
        firewall.reset_requests()
        error = _query_error(driver, conn)
        _close_quietly(conn)
        return error


@extra(
    "use-after-close",
    "application code uses a connection after an earlier error made the driver close it",
    "KILL the connection, let one query fail, then query again on the same object",
)
def _use_after_close(driver: Driver) -> BaseException:
    with LocalServer() as server:
        conn = driver.connect(server.settings)
        server.kill_connection(driver.thread_id(conn))
        _query_error(driver, conn)
        return _query_error(driver, conn)


@extra(
    "server-down",
    "reconnecting while the server is down (an outage)",
    "stop the server, then connect",
)
def _server_down(driver: Driver) -> BaseException:
    with LocalServer() as server:
        settings = server.settings
        server.shutdown()
        try:
            driver.connect(settings, connect_timeout=2).close()
        except driver.error_class() as e:
            return e
        raise ChaosError("connected to a stopped server")


def _close_quietly(conn: Connection) -> None:
    try:
        conn.close()
    except Exception:  # mysqlclient raises on closing what the event already closed
        return
