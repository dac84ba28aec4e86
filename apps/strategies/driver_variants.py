"""The seed's naive connection and the reference ``safe`` strategy on the other drivers.

The same code as :mod:`.naive_global` and :mod:`.safe`, connecting through mysqlclient
(``MySQLdb``) or mysql-connector-python (pure Python, or its C extension) instead of PyMySQL,
so the matrix shows where a driver changes a verdict. A variant whose driver is not installed
fails to build with one line naming the ``drivers`` extra.

Only the mysqlclient variants are bundled. The connector variants are not deterministic (the
pure driver sets no TCP keepalive, the C extension reconnects silently), so they are run by path:
``mysql-chaos check mysql_chaos_apps.strategies.driver_variants:SafeConnectorPureStrategy``.
"""

from __future__ import annotations

import contextlib

from mysql_chaos_apps.strategies.naive_global import NaiveGlobalStrategy
from mysql_chaos_apps.strategies.safe import SafeStrategy

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
