"""The variants of "server has gone away": each a real event against a real disposable server.

Every variant opens a pymysql connection, makes one real-world event happen to it, issues one
query and returns the exception pymysql raised. Variants that need the kernel (a namespace and
nftables) raise :class:`~chaos.errors.CapabilityMissingError` where they cannot run.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pymysql

from chaos.errors import CapabilityMissingError, ChaosError
from chaos.netns import Firewall, NetworkNamespace, require_net_admin
from chaos.registry import Registry
from chaos.servers.local import LocalServer
from chaos.waiting import wait_until


@dataclass(frozen=True)
class Variant:
    name: str
    event: str  # the real-world event
    injection: str  # how it is made to happen here
    run: Callable[[], BaseException]


@dataclass(frozen=True)
class Reproduction:
    variant: Variant
    error: BaseException | None
    seconds: float
    skipped: str | None = None


VARIANTS: Registry[Variant] = Registry("repro variant")


def variant(name: str, event: str, injection: str) -> Callable[[Callable[[], BaseException]], None]:
    def register(function: Callable[[], BaseException]) -> None:
        VARIANTS.add(name, Variant(name, event, injection, function))

    return register


def run_variant(v: Variant) -> Reproduction:
    started = time.monotonic()
    try:
        error = v.run()
    except CapabilityMissingError as e:
        return Reproduction(v, None, time.monotonic() - started, skipped=str(e))
    return Reproduction(v, error, time.monotonic() - started)


def _query_error(conn: pymysql.Connection, sql: str = "SELECT 1") -> BaseException:
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql)
    except pymysql.err.MySQLError as e:
        return e
    raise ChaosError("the query unexpectedly succeeded: the event did not take effect")


def _wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    if not wait_until(condition, timeout):
        raise ChaosError(f"timed out waiting for {what}")


@contextlib.contextmanager
def _namespaced_server() -> Iterator[tuple[NetworkNamespace, LocalServer, Firewall]]:
    require_net_admin()
    with NetworkNamespace() as namespace:
        with LocalServer(preexec=namespace.preexec()) as server:
            firewall = Firewall(namespace, server.settings.port)
            try:
                with namespace.entered():
                    yield namespace, server, firewall
            finally:
                firewall.clear()


@variant(
    "middlebox-drop",
    "a NAT/firewall/load balancer silently forgets an idle connection (the seed's error)",
    "namespace with keepalive 1s/1s/2 probes; nftables drops both directions; query after the "
    "kernel gives up on the connection",
)
def _middlebox_drop() -> BaseException:
    with _namespaced_server() as (_namespace, server, firewall):
        conn = pymysql.connect(**server.settings.pymysql_kwargs())
        firewall.drop_both_ways()
        _wait_until(lambda: firewall.established_connections() == 0, 30, "keepalive to fail")
        error = _query_error(conn)
        conn.close()
        return error


@variant(
    "wait-timeout",
    "the server closes a connection idle longer than wait_timeout (8 h by default)",
    "SET GLOBAL wait_timeout=1, connect, stay idle until the server has dropped the session",
)
def _wait_timeout() -> BaseException:
    with LocalServer() as server:
        server.set_global("wait_timeout", 1)
        conn = pymysql.connect(**server.settings.pymysql_kwargs())
        _wait_until(lambda: not server.client_connection_ids(), 10, "wait_timeout")
        return _query_error(conn)


@variant(
    "server-restart",
    "mysqld restarted (a deploy, a failover) while the client held a connection",
    "clean shutdown and start of the disposable server on the same port",
)
def _server_restart() -> BaseException:
    with LocalServer() as server:
        conn = pymysql.connect(**server.settings.pymysql_kwargs())
        server.restart()
        return _query_error(conn)


@variant(
    "server-crash",
    "mysqld killed (OOM killer, crash) and back after crash recovery",
    "SIGKILL the server, start it again on the same datadir",
)
def _server_crash() -> BaseException:
    with LocalServer() as server:
        conn = pymysql.connect(**server.settings.pymysql_kwargs())
        server.kill(restart=True)
        return _query_error(conn)


@variant(
    "kill-connection",
    "a DBA or a tool (pt-kill) runs KILL on the client's connection",
    "KILL CONNECTION <id> from an admin session",
)
def _kill_connection() -> BaseException:
    with LocalServer() as server:
        conn = pymysql.connect(**server.settings.pymysql_kwargs())
        server.kill_connection(conn.thread_id())
        return _query_error(conn)


@variant(
    "reset-idle",
    "a firewall or load balancer resets an idle connection (RST arrives before the next query)",
    "namespace; nftables answers packets with TCP RST; the first keepalive probe draws the RST",
)
def _reset_idle() -> BaseException:
    with _namespaced_server() as (_namespace, server, firewall):
        conn = pymysql.connect(**server.settings.pymysql_kwargs())
        firewall.reset_both_ways()
        _wait_until(lambda: firewall.established_connections() == 0, 30, "the reset")
        error = _query_error(conn)
        conn.close()
        return error


@variant(
    "reset-during-query",
    "the connection is reset while a query is on its way",
    "namespace; nftables answers the query's packet with TCP RST",
)
def _reset_during_query() -> BaseException:
    with _namespaced_server() as (_namespace, server, firewall):
        conn = pymysql.connect(**server.settings.pymysql_kwargs())
        firewall.reset_requests()
        error = _query_error(conn)
        conn.close()
        return error


@variant(
    "server-freeze",
    "a half-open server: TCP still accepted, nothing answers (hung host, stalled VM)",
    "SIGSTOP the server; the client has read_timeout=1 (without one it would wait forever)",
)
def _server_freeze() -> BaseException:
    with LocalServer() as server:
        conn = pymysql.connect(**server.settings.pymysql_kwargs(read_timeout=1))
        server.freeze()
        try:
            return _query_error(conn)
        finally:
            server.thaw()


@variant(
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


@variant(
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


@variant(
    "too-many-connections",
    "a reconnect storm exhausts max_connections",
    "max_connections=10 (MariaDB's minimum); open connections as the unprivileged app user "
    "until the server refuses one",
)
def _too_many_connections() -> BaseException:
    with LocalServer(options={"max_connections": 10}) as server:
        held = []
        try:
            for _ in range(20):
                held.append(pymysql.connect(**server.settings.pymysql_kwargs()))
        except pymysql.err.MySQLError as e:
            return e
        finally:
            for conn in held:
                conn.close()
        raise ChaosError("the server accepted every connection")
