"""One pymysql connection per thread, with a registry so ``close_all`` reaches every thread's.

Thread-mapped connections are what the seed's answer recommends for threaded WSGI servers
(uWSGI ``--threads``): no locking, no sharing. ``threading.local`` alone cannot close the
connections of other threads, hence the registry.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from mysql_chaos_apps.strategies.transaction import close_quietly

from chaos.strategy import Connection


@dataclass
class HeldConnection:
    """A connection, when it was made and its server session id (the safe strategy's fence
    needs both; the id is read at connect, since not every driver can tell it once lost)."""

    conn: Connection
    connected_at: float = field(default_factory=time.monotonic)
    session_id: int | None = None

    def age(self) -> float:
        return time.monotonic() - self.connected_at


class ThreadConnections:
    """Per-thread connections made by ``connect``; ``close_all`` closes every one of them."""

    def __init__(
        self,
        connect: Callable[[], Connection],
        session_id: Callable[[Connection], int] | None = None,
    ) -> None:
        self._connect = connect
        self._session_id = session_id
        self._local = threading.local()
        self._lock = threading.Lock()
        self._held: dict[int, HeldConnection] = {}

    def current(self) -> HeldConnection | None:
        """This thread's connection, or None when it has none (never made, or discarded)."""
        return getattr(self._local, "held", None)

    def get_or_connect(self) -> HeldConnection:
        held = self.current()
        return held if held is not None else self.connect_new()

    def connect_new(self) -> HeldConnection:
        """Replace this thread's connection with a new one (the old one is closed first)."""
        self.discard()
        conn = self._connect()
        session = self._session_id(conn) if self._session_id is not None else None
        held = HeldConnection(conn, session_id=session)
        self._local.held = held
        with self._lock:
            self._held[id(held)] = held
        return held

    def discard(self) -> None:
        """Close and forget this thread's connection (after it failed)."""
        held = self.current()
        if held is None:
            return
        self._local.held = None
        with self._lock:
            self._held.pop(id(held), None)
        close_quietly(held.conn)

    def close_all(self) -> None:
        with self._lock:
            held, self._held = list(self._held.values()), {}
        for one in held:
            close_quietly(one.conn)
        # Other threads' locals still point at closed connections; a fresh local forgets them.
        self._local = threading.local()
