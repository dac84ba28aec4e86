"""The exceptions faults give an existing pymysql connection, as measured (``Fault.produces``).

Measured against MariaDB 10.11 with PyMySQL 1.2 and pinned by tests/repro: each fault's repro
must give exactly its ``produces``.
"""

from __future__ import annotations

#: EOF or a reset while pymysql reads an answer (2013).
LOST = "OperationalError(2013, 'Lost connection to MySQL server during query')"
#: A read timeout: the client's read_timeout fired first.
LOST_TIMED_OUT = (
    "OperationalError(2013, 'Lost connection to MySQL server during query (timed out)')"
)
#: A reset met when sending the next query (2006): the connection died while idle.
GONE_AWAY_RESET = (
    'OperationalError(2006, "MySQL server has gone away '
    "(ConnectionResetError(104, 'Connection reset by peer'))\")"
)
#: The seed's error: keepalive gave up on a silently dropped flow, then the query was sent.
GONE_AWAY_TIMED_OUT = (
    "OperationalError(2006, \"MySQL server has gone away (TimeoutError(110, 'Connection timed "
    "out'))\")"
)
TOO_MANY_CONNECTIONS = "OperationalError(1040, 'Too many connections')"
