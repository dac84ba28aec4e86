"""How a plain client meets a fault in ``repro``: what it does after ``inject()``.

One connection of the chosen driver (:mod:`chaos.drivers`, PyMySQL by default), made through the
fault's ``client_settings`` after ``prepare()`` and before ``inject()``, does what shows the
fault's error: one query for faults that strike any connection, a small transaction for the
faults that strike one, a reconnect for a fault that only a new connection can see. Each fault
names its action (``Fault.repro_action``); nothing here knows a fault.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from chaos.drivers import Connection, Driver
from chaos.settings import ConnectionSettings

#: The table the transaction shape writes to; created (direct to the server) before prepare().
TABLE = "repro_counters"
SCHEMA = (
    f"CREATE TABLE {TABLE} (id INT PRIMARY KEY, n INT NOT NULL) ENGINE=InnoDB",
    f"INSERT INTO {TABLE} VALUES (1, 0), (2, 0)",
)
TRANSACTION = (
    f"UPDATE {TABLE} SET n = n - 1 WHERE id = 1",
    f"UPDATE {TABLE} SET n = n + 1 WHERE id = 2",
)
#: Long enough for every fault that is not about timeouts to answer, short enough that a bug
#: which makes the client wait shows as a wrong exception instead of a hung run.
GUARD_READ_TIMEOUT = 10


@dataclass(frozen=True)
class ClientAction:
    """``after_inject(driver, conn, settings)`` raises the client's error; ``needs_table`` asks
    for :data:`TABLE` to exist before the client connects; with ``reads_replica`` the
    ``settings`` it gets lead to the server's replica (the client's connection stays on the
    primary), for a fault that shows itself only to a read there."""

    describe: str
    after_inject: Callable[[Driver, Connection, ConnectionSettings], None]
    read_timeout: int = GUARD_READ_TIMEOUT
    needs_table: bool = False
    reads_replica: bool = False


def _query(driver: Driver, conn: Connection, settings: ConnectionSettings) -> None:
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1")


def _transaction(driver: Driver, conn: Connection, settings: ConnectionSettings) -> None:
    driver.begin(conn)
    with conn.cursor() as cursor:
        for sql in TRANSACTION:
            cursor.execute(sql)
    conn.commit()


def _reconnect(driver: Driver, conn: Connection, settings: ConnectionSettings) -> None:
    driver.connect(settings, connect_timeout=2).close()


QUERY = ClientAction("one query", _query)
#: A client read timeout: without one the client would wait forever (and so would the repro).
QUERY_WITH_READ_TIMEOUT = ClientAction("one query, read_timeout=1", _query, read_timeout=1)
TRANSACTION_OF_TWO = ClientAction("BEGIN, two UPDATEs, COMMIT", _transaction, needs_table=True)
RECONNECT = ClientAction("a new connection", _reconnect)
