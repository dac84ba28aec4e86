"""The errors a client meets that no fault of the catalogue makes: the repro's extras.

Each extra opens a pymysql connection, makes a real event happen to it and returns the
exception pymysql raised. An extra that needs the kernel raises
:class:`~chaos.errors.CapabilityMissingError` where it cannot run (a skip).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pymysql

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
    run: Callable[[], BaseException]


EXTRAS: Registry[Extra] = Registry("repro extra")


def extra(name: str, event: str, injection: str) -> Callable[[Callable[[], BaseException]], None]:
    def register(function: Callable[[], BaseException]) -> None:
        EXTRAS.add(name, Extra(name, event, injection, function))

    return register


def run_extra(item: Extra) -> Reproduction:
    """Run ``item`` once; a missing capability is a skip, anything else raised a failure."""
    started = time.monotonic()

    def outcome(**fields: object) -> Reproduction:
        return Reproduction(
            item.name, item.event, item.injection, time.monotonic() - started, **fields
        )

    try:
        error = item.run()
    except CapabilityMissingError as e:
        return outcome(skipped=str(e))
    except Exception as e:
        return outcome(failure=error_summary(e))
    return outcome(error=error)


def _query_error(conn: pymysql.Connection, sql: str = "SELECT 1") -> BaseException:
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql)
    except pymysql.err.MySQLError as e:
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
def _reset_during_query() -> BaseException:
    # Unlike middlebox-reset (the RST meets an idle connection), the query itself draws it.
    with _namespaced_server() as (server, firewall):
        conn = pymysql.connect(**server.settings.pymysql_kwargs())
        firewall.reset_requests()
        error = _query_error(conn)
        conn.close()
        return error


@extra(
    "use-after-close",
    "application code uses a connection after an earlier error made pymysql close it",
    "KILL the connection, let one query fail, then query again on the same object",
)
def _use_after_close() -> BaseException:
    with LocalServer() as server:
        conn = pymysql.connect(**server.settings.pymysql_kwargs())
        server.kill_connection(conn.thread_id())
        _query_error(conn)
        return _query_error(conn)


@extra(
    "server-down",
    "reconnecting while the server is down (an outage)",
    "stop the server, then connect",
)
def _server_down() -> BaseException:
    with LocalServer() as server:
        settings = server.settings
        server.shutdown()
        try:
            pymysql.connect(**settings.pymysql_kwargs(connect_timeout=2)).close()
        except pymysql.err.MySQLError as e:
            return e
        raise ChaosError("connected to a stopped server")
