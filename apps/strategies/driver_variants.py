"""The seed's naive connection, the reference ``safe`` strategy and SQLAlchemy's pre-ping on the
other drivers.

The same code as :mod:`.naive_global`, :mod:`.safe` and :mod:`.sqlalchemy_pre_ping`, connecting
through mysqlclient (``MySQLdb``) or mysql-connector-python (pure Python, or its C extension)
instead of PyMySQL, so the matrix shows where a driver changes a verdict. A variant whose driver
is not installed fails to build with one line naming the ``drivers`` extra.

Two things of mysql-connector's that once made these verdicts vary are handled where they
belong: the pure driver sets no TCP keepalive (the middlebox faults now end once every end that
can die has died, so it meets the same bounded fault), and the C extension reconnects silently
on a ping (its driver adapter raises :class:`chaos.drivers.SessionReplacedError`, a disconnect).
"""

from __future__ import annotations

import contextlib

from mysql_chaos_apps.strategies.naive_global import NaiveGlobalStrategy
from mysql_chaos_apps.strategies.safe import SafeStrategy
from mysql_chaos_apps.strategies.sqlalchemy_pre_ping import SQLAlchemyPrePingStrategy

# mysql-connector-python's C extension needs static TLS that google-re2's extension (the
# embedded proxy's patterns) would otherwise take first; loaded here, with the strategies and
# before any proxy, both fit. Absent when the drivers extra is not installed.
with contextlib.suppress(ImportError):
    import _mysql_connector  # noqa: F401


class NaiveGlobalMySQLclientStrategy(NaiveGlobalStrategy):
    name = "naive-global-mysqlclient"
    summary = "the seed's original on mysqlclient (MySQLdb)"
    driver_name = "mysqlclient"


class NaiveGlobalConnectorPureStrategy(NaiveGlobalStrategy):
    name = "naive-global-connector-pure"
    summary = "the seed's original on mysql-connector-python, use_pure=True"
    driver_name = "connector-pure"


class NaiveGlobalConnectorCStrategy(NaiveGlobalStrategy):
    name = "naive-global-connector-c"
    summary = "the seed's original on mysql-connector-python's C extension"
    driver_name = "connector-c"


class SafeMySQLclientStrategy(SafeStrategy):
    name = "safe-mysqlclient"
    summary = "the safe strategy on mysqlclient (MySQLdb)"
    driver_name = "mysqlclient"


class SafeConnectorPureStrategy(SafeStrategy):
    name = "safe-connector-pure"
    summary = "the safe strategy on mysql-connector-python, use_pure=True"
    driver_name = "connector-pure"


class SafeConnectorCStrategy(SafeStrategy):
    name = "safe-connector-c"
    summary = "the safe strategy on mysql-connector-python's C extension"
    driver_name = "connector-c"


class SQLAlchemyPrePingMySQLclientStrategy(SQLAlchemyPrePingStrategy):
    name = "sqlalchemy-pre-ping-mysqlclient"
    summary = "SQLAlchemy pool_pre_ping on mysqlclient (mysql+mysqldb)"
    driver_name = "mysqlclient"


class SQLAlchemyPrePingConnectorCStrategy(SQLAlchemyPrePingStrategy):
    name = "sqlalchemy-pre-ping-connector-c"
    summary = "SQLAlchemy pool_pre_ping on mysql-connector-python's C extension (mysqlconnector)"
    driver_name = "connector-c"
