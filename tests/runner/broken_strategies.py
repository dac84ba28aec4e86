"""Strategies with one deliberate bug each, as users write them: the gate must catch every one.

Test-only code: each is a strategy factory (``module:Class``) a user could hand to ``check``.
Each class's docstring says its bug in one line.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pymysql
import pymysql.cursors
from dbutils.persistent_db import PersistentDB
from mysql_chaos_apps.strategies.ping_reconnect import PingReconnectStrategy, ping_with_reconnect
from mysql_chaos_apps.strategies.safe import SafeStrategy
from mysql_chaos_apps.strategies.thread_connections import ThreadConnections
from mysql_chaos_apps.strategies.transaction import close_quietly, rollback_quietly, run_transaction

from chaos.strategy import BaseStrategy, DefiniteFailure, StrategyConfig, UnitOfWork
from chaos.taxonomy import is_disconnect


class _PerThread(BaseStrategy):
    """One pymysql connection per worker thread, replaced after it failed."""

    def __init__(self, config: StrategyConfig) -> None:
        super().__init__(config)
        kwargs = self.settings.pymysql_kwargs(**config.extra)
        self._connections = ThreadConnections(lambda: pymysql.connect(**kwargs))

    def close(self) -> None:
        self._connections.close_all()


class LostCommitAssumedApplied(_PerThread):
    """On a disconnect during COMMIT it reports ok without reading back whether it landed."""

    def run(self, unit: UnitOfWork) -> Any:
        conn = self._connections.get_or_connect().conn
        try:
            result = unit.body(conn)
        except BaseException:
            rollback_quietly(conn)
            self._connections.discard()
            raise
        try:
            conn.commit()
        except pymysql.err.Error as e:
            self._connections.discard()
            if not is_disconnect(e):
                raise
            # The bug: "the COMMIT was sent, so it surely landed".
        return result


class RerunAfterAmbiguousCommit(_PerThread):
    """On a disconnect during COMMIT it runs the transaction again, once, on a new connection,
    without reading back whether the first COMMIT landed: a list-append transaction that did
    commit has every value appended twice (the bank's totals cannot show it)."""

    def run(self, unit: UnitOfWork) -> Any:
        try:
            return self._attempt(unit)
        except pymysql.err.Error as e:
            if not is_disconnect(e):
                raise
            return self._attempt(unit)  # the bug: the first COMMIT may have landed

    def _attempt(self, unit: UnitOfWork) -> Any:
        conn = self._connections.get_or_connect().conn
        try:
            result = unit.body(conn)
            conn.commit()
        except BaseException:
            rollback_quietly(conn)
            self._connections.discard()
            raise
        return result


class NeverReplacedPerThread(BaseStrategy):
    """A per-thread connection that, once broken, is never replaced."""

    def __init__(self, config: StrategyConfig) -> None:
        super().__init__(config)
        self._kwargs = self.settings.pymysql_kwargs(**config.extra)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[pymysql.Connection] = []

    def run(self, unit: UnitOfWork) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = pymysql.connect(**self._kwargs)
            with self._lock:
                self._all.append(conn)
        return run_transaction(conn, unit)

    def close(self) -> None:
        with self._lock:
            held, self._all = self._all, []
        for conn in held:
            close_quietly(conn)


class NoRollbackAfterError(_PerThread):
    """On a server error inside the transaction it commits what ran and reports ok."""

    def run(self, unit: UnitOfWork) -> Any:
        conn = self._connections.get_or_connect().conn
        try:
            result = unit.body(conn)
        except pymysql.err.Error as e:
            if is_disconnect(e):
                self._connections.discard()
                raise
            # The bug: "the error was answered, the connection still works: carry on".
            result = None
        try:
            conn.commit()
        except BaseException:
            self._connections.discard()
            raise
        return result


class AutocommitPersistentDB(BaseStrategy):
    """DBUtils PersistentDB(creator=pymysql, autocommit=True): each statement commits alone."""

    def __init__(self, config: StrategyConfig) -> None:
        super().__init__(config)
        # The seed's answer, as written there: no begin(), autocommit on.
        self._pool = PersistentDB(pymysql, autocommit=True, **self.settings.pymysql_kwargs())
        self._lock = threading.Lock()
        self._seen: list[Any] = []

    def run(self, unit: UnitOfWork) -> Any:
        conn = self._pool.connection()
        with self._lock:
            self._seen.append(conn)
        result = unit.body(conn)
        conn.commit()  # a no-op under autocommit: every statement already committed alone
        return result

    def close(self) -> None:
        with self._lock:
            seen, self._seen = self._seen, []
        for conn in seen:
            close_quietly(conn.dbapi_connection)


# -- reads that write: the strike must still land on a transfer -------------------------------

KEY_TABLE = "unit_keys"


def _create_key_table(settings: Any) -> None:
    conn = pymysql.connect(**settings.pymysql_kwargs(autocommit=True))
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {KEY_TABLE} "
                "(op_id VARCHAR(64) PRIMARY KEY, uses INT NOT NULL DEFAULT 1) ENGINE=InnoDB"
            )
    finally:
        conn.close()


def with_key_row(unit: UnitOfWork) -> UnitOfWork:
    """``unit`` writing a key row first, in its own transaction: reads become writes too."""

    def body(conn: Any) -> Any:
        with conn.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {KEY_TABLE} (op_id) VALUES (%s) "
                "ON DUPLICATE KEY UPDATE uses = uses + 1",
                (unit.op_id,),
            )
        return unit.body(conn)

    return UnitOfWork(unit.op_id, body, unit.was_applied)


class KeyedSafe(SafeStrategy):
    """Correct: the reference strategy, writing a key row in every unit, reads included."""

    def __init__(self, config: StrategyConfig) -> None:
        super().__init__(config)
        _create_key_table(self.settings)

    def run(self, unit: UnitOfWork) -> Any:
        return super().run(with_key_row(unit))


class KeyedLostCommitReportedFailed(_PerThread):
    """Writes a key row in every unit, reads included; a COMMIT lost on the way back is
    reported as a definite failure, though it may have landed."""

    def __init__(self, config: StrategyConfig) -> None:
        super().__init__(config)
        _create_key_table(self.settings)

    def run(self, unit: UnitOfWork) -> Any:
        unit = with_key_row(unit)
        conn = self._connections.get_or_connect().conn
        try:
            result = unit.body(conn)
        except BaseException:
            rollback_quietly(conn)
            self._connections.discard()
            raise
        try:
            conn.commit()
        except pymysql.err.Error as e:
            self._connections.discard()
            if is_disconnect(e):
                # The bug: "the link died, so nothing happened".
                raise DefiniteFailure(f"{unit.op_id}: connection lost at COMMIT") from e
            raise
        return result


# -- a COMMIT still in flight: the read-back must wait for it ----------------------------------


class _ReadBackAfterLostCommit(_PerThread):
    """On a disconnect during COMMIT: reconnect, read back, and run the unit again if the
    read-back says it was not applied."""

    def applied(self, conn: Any, unit: UnitOfWork) -> bool:
        raise NotImplementedError

    def run(self, unit: UnitOfWork) -> Any:
        conn = self._connections.get_or_connect().conn
        try:
            result = unit.body(conn)
        except BaseException:
            rollback_quietly(conn)
            self._connections.discard()
            raise
        try:
            conn.commit()
            return result
        except pymysql.err.Error as e:
            self._connections.discard()
            if not is_disconnect(e) or unit.was_applied is None:
                raise
        conn = self._connections.connect_new().conn
        if self.applied(conn, unit):
            return result
        try:
            return run_transaction(conn, unit)
        except BaseException:
            self._connections.discard()
            raise


class PlainReadBack(_ReadBackAfterLostCommit):
    """Reads the ledger back with a plain SELECT, which does not wait for the lost session: a
    COMMIT still on its way reads as "not applied", and the unit runs twice."""

    def applied(self, conn: Any, unit: UnitOfWork) -> bool:
        conn.rollback()
        with conn.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM ledger WHERE op_id = %s", (unit.op_id,))
            (count,) = cursor.fetchone()
        conn.rollback()
        return int(count) > 0


class LockingReadBack(_ReadBackAfterLostCommit):
    """Correct: reads back with the workload's locking read (LOCK IN SHARE MODE), which waits
    for the row locks of a transaction still open on the server."""

    def applied(self, conn: Any, unit: UnitOfWork) -> bool:
        assert unit.was_applied is not None
        return unit.was_applied(conn)


# -- connections handed out after an idle fault -----------------------------------------------


class _AgedPool(BaseStrategy):
    """A per-thread connection replaced at checkout once older than the idle timeout (the
    scaled ``wait_timeout``), and after it failed."""

    def __init__(self, config: StrategyConfig) -> None:
        super().__init__(config)
        kwargs = self.settings.pymysql_kwargs(**config.extra)
        self._connections = ThreadConnections(lambda: pymysql.connect(**kwargs))

    def checkout(self) -> Any:
        held = self._connections.current()
        if held is None or held.age() > self.config.idle_seconds:
            return self._connections.connect_new().conn
        return held.conn

    def run(self, unit: UnitOfWork) -> Any:
        conn = self.checkout()
        try:
            return run_transaction(conn, unit)
        except BaseException as e:
            if is_disconnect(e):
                self._connections.discard()
            raise

    def close(self) -> None:
        self._connections.close_all()


class RecycleWithoutPing(_AgedPool):
    """Recycles connections older than the idle timeout but never pings: a connection killed
    while younger is handed out, and the operation that gets it fails."""


class PrePingPool(_AgedPool):
    """Correct: the same pool, with a ping at checkout that replaces a dead connection."""

    def checkout(self) -> Any:
        conn = super().checkout()
        try:
            conn.ping(reconnect=False)
        except pymysql.err.Error:
            conn = self._connections.connect_new().conn
        return conn


# -- a reconnect that loses the session's settings ------------------------------------------


class AutocommitAfterReconnect(_PerThread):
    """Its first connections run with autocommit off; after a failure it reconnects with the
    pool's defaults, autocommit on: each later transfer's statements commit one by one."""

    def __init__(self, config: StrategyConfig) -> None:
        super().__init__(config)
        first = self.settings.pymysql_kwargs(autocommit=False, **config.extra)
        again = self.settings.pymysql_kwargs(autocommit=True, **config.extra)
        local = threading.local()

        def connect() -> Any:
            kwargs = again if getattr(local, "connected", False) else first
            local.connected = True
            return pymysql.connect(**kwargs)

        self._connections = ThreadConnections(connect)

    def run(self, unit: UnitOfWork) -> Any:
        conn = self._connections.get_or_connect().conn
        try:
            return run_transaction(conn, unit)
        except BaseException as e:
            if is_disconnect(e):
                self._connections.discard()
            raise


# -- reconnects while new connections fail --------------------------------------------------


class _ConnectRetried(BaseStrategy):
    """A per-thread connection, replaced after a disconnect; a failed connect is tried again
    until ``retry_seconds`` have passed, with :meth:`pause` seconds between attempts."""

    retry_seconds = 2.0

    def __init__(self, config: StrategyConfig) -> None:
        super().__init__(config)
        kwargs = self.settings.pymysql_kwargs(**config.extra)
        self._connections = ThreadConnections(lambda: self._connect(kwargs))

    def pause(self, attempt: int) -> float:
        raise NotImplementedError

    def _connect(self, kwargs: dict[str, Any]) -> Any:
        deadline = time.monotonic() + self.retry_seconds
        attempt = 0
        while True:
            try:
                return pymysql.connect(**kwargs)
            except pymysql.err.OperationalError:
                attempt += 1
                if time.monotonic() >= deadline:
                    raise
                time.sleep(self.pause(attempt))

    def run(self, unit: UnitOfWork) -> Any:
        conn = self._connections.get_or_connect().conn
        try:
            return run_transaction(conn, unit)
        except BaseException as e:
            if is_disconnect(e):
                self._connections.discard()
            raise

    def close(self) -> None:
        self._connections.close_all()


class ConnectRetryTightLoop(_ConnectRetried):
    """Retries a failed connect at once, in a tight loop, for up to 2 s: against a refused
    port that is hundreds of attempts a second from every worker."""

    def pause(self, attempt: int) -> float:
        return 0.0  # the bug: "it failed, try again"


class ConnectRetryWithBackoff(_ConnectRetried):
    """Correct: the same retries for up to 2 s, with a pause doubling from 50 ms (at most
    0.5 s) between attempts."""

    def pause(self, attempt: int) -> float:
        return min(0.5, 0.05 * 2 ** (attempt - 1))


class SessionSetAfterConnect(PrePingPool):
    """Sets the run's session state with a SET after a thread's first connect, as code that
    runs ``SET time_zone ...`` at start-up does; the connections its ping puts in place of a
    dead one never get it (the setup belongs in the driver's init_command)."""

    def __init__(self, config: StrategyConfig) -> None:
        super().__init__(config)
        setup = self.settings.session
        kwargs = self.settings.with_session(None).pymysql_kwargs(**config.extra)
        local = threading.local()

        def connect() -> Any:
            conn = pymysql.connect(**kwargs)
            if setup is not None and not getattr(local, "connected", False):
                with conn.cursor() as cursor:
                    cursor.execute(setup.init_command())
            local.connected = True
            return conn

        self._connections = ThreadConnections(connect)


def _set_up_objects(conn: Any, config: StrategyConfig) -> None:
    """The session objects the run names, made on ``conn`` (with a plain cursor: no ping)."""
    setup = config.connection.session
    assert setup is not None, "a cell hands every strategy its session setup"
    with conn.cursor(pymysql.cursors.Cursor) as cursor:
        for statement in setup.object_setup():
            cursor.execute(statement)
    conn.commit()


class ObjectsLostOnPingReconnect(PingReconnectStrategy):
    """ping-reconnect whose code relies on a temporary table and a prepared statement, made once
    after connecting: ``ping(reconnect=True)`` runs the driver's ``init_command`` again on the
    new session, never the application's own setup, so both are gone after a reconnect."""

    keeps_session_objects = True

    def __init__(self, config: StrategyConfig) -> None:
        super().__init__(config)
        _set_up_objects(self._conn, config)


class ObjectsKeptOnReconnect(PingReconnectStrategy):
    """The same, made again whenever the ping put a new session in place (its thread id
    changed): the objects survive every reconnect."""

    keeps_session_objects = True

    def __init__(self, config: StrategyConfig) -> None:
        super().__init__(config)
        _set_up_objects(self._conn, config)
        self._session_id = self._conn.thread_id()

    def run(self, unit: UnitOfWork) -> Any:
        with self._lock:
            ping_with_reconnect(self._conn)
            if self._conn.thread_id() != self._session_id:
                _set_up_objects(self._conn, self.config)
                self._session_id = self._conn.thread_id()
            return run_transaction(self._conn, unit)
