"""Read/write splitting: writes on the primary, read-only units on a replica.

What a Django database router, ProxySQL's query rules or an ORM's "replica" bind do. Both
strategies are the reference safe strategy on each side (per-thread connections, pinged when
idle, whole-transaction retry on disconnects), one towards ``config.connection`` and one
towards ``config.read_connection``; without a replica every unit goes to the primary and they
are the safe strategy.

``read-split`` breaks under replica lag: a read on a replica that has not applied a write the
app already acknowledged answers from before it (``stale-read``). ``read-split-gtid`` is the
fix MariaDB offers: remember the GTID of every acknowledged write (``@@last_gtid``), and before
a read on the replica wait for the newest one (``MASTER_GTID_WAIT``); a replica still behind
after a short wait is skipped and the read goes to the primary.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import replace
from typing import Any

from mysql_chaos_apps.strategies.safe import SafeStrategy

from chaos.strategy import Connection, StrategyConfig, UnitOfWork

log = logging.getLogger(__name__)

#: Seconds a read waits for the replica to apply the newest acknowledged write.
GTID_WAIT_SECONDS = 0.2


class ReadSplitStrategy(SafeStrategy):
    """Writes on the primary, ``read_only`` units on the replica, each side the safe strategy."""

    name = "read-split"
    summary = "safe strategy, with read-only units sent to the replica (no wait: stale reads)"

    def __init__(self, config: StrategyConfig) -> None:
        super().__init__(config)
        reads = config.read_connection
        self._reader = (
            None
            if reads is None
            else SafeStrategy(replace(config, connection=reads, read_connection=None))
        )

    def run(self, unit: UnitOfWork) -> Any:
        if unit.read_only and self._reader is not None:
            return self._reader.run(unit)
        return super().run(unit)

    def close(self) -> None:
        try:
            if self._reader is not None:
                self._reader.close()
        finally:
            super().close()


class _ReplicaBehind(Exception):
    """The replica had not applied the newest acknowledged write within the wait."""


class ReadSplitGtidStrategy(ReadSplitStrategy):
    """:class:`ReadSplitStrategy` whose replica reads first wait for every acknowledged write."""

    name = "read-split-gtid"
    summary = "read-split, each replica read waiting (MASTER_GTID_WAIT) for the last write's GTID"

    def __init__(self, config: StrategyConfig) -> None:
        super().__init__(config)
        self._lock = threading.Lock()
        #: The newest acknowledged write's GTID by replication domain: {domain: (server, seq)}.
        self._newest: dict[int, tuple[int, int]] = {}

    def run(self, unit: UnitOfWork) -> Any:
        if self._reader is None:
            return super().run(unit)
        if not unit.read_only:
            result = SafeStrategy.run(self, unit)
            self._remember(self._written_gtid())
            return result
        position = self._position()
        if not position:
            return self._reader.run(unit)
        try:
            return self._reader.run(replace(unit, body=_after_wait(unit, position)))
        except _ReplicaBehind:
            log.info("%s: replica behind %s, reading on the primary", unit.op_id, position)
            return SafeStrategy.run(self, unit)

    def _written_gtid(self) -> str:
        """This thread's last commit's GTID; the primary's whole position when the commit was
        settled on another connection (a read-back), which holds it too."""
        conn = self._connections.get_or_connect().conn
        try:
            with conn.cursor() as cursor:
                cursor.execute("SELECT @@SESSION.last_gtid, @@GLOBAL.gtid_binlog_pos")
                last, binlog = cursor.fetchone()
        finally:
            conn.rollback()
        return str(last or binlog or "")

    def _remember(self, position: str) -> None:
        with self._lock:
            for gtid in filter(None, position.split(",")):
                domain, server, seq = (int(part) for part in gtid.strip().split("-"))
                if seq > self._newest.get(domain, (0, 0))[1]:
                    self._newest[domain] = (server, seq)

    def _position(self) -> str:
        with self._lock:
            return ",".join(f"{d}-{s}-{n}" for d, (s, n) in sorted(self._newest.items()))


def _after_wait(unit: UnitOfWork, position: str) -> Any:
    def body(conn: Connection) -> Any:
        with conn.cursor() as cursor:
            cursor.execute("SELECT MASTER_GTID_WAIT(%s, %s)", (position, GTID_WAIT_SECONDS))
            (answer,) = cursor.fetchone()
        if int(answer) != 0:
            raise _ReplicaBehind(position)
        return unit.body(conn)

    return body
