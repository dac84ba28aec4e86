"""The clients under test: reconnect strategies behind the contract in :mod:`chaos.strategy`.

:data:`BUNDLED` is registered in ``pyproject.toml`` (entry-point group ``mysql_chaos.strategies``)
and keeps a fixed order: the seed's own code first, then the libraries the seed's answer suggested,
then retry policies, then the reference ``safe`` strategy; then the naive and safe strategies on
mysqlclient and on mysql-connector-python (pure, then its C extension), SQLAlchemy's pre-ping on
mysqlclient and on connector's C extension, then the asyncio drivers' (async strategies, run on
one event loop). ``chaos`` finds them there and never imports this package.

Several strategies need Flask, DBUtils or SQLAlchemy, which a plain ``pip install mysql-chaos``
does not install (the ``strategies`` extra does), and the asyncio ones need aiomysql, asyncmy or
SQLAlchemy's async engine (the ``async`` extra). So each entry of :data:`BUNDLED` is a
:class:`~mysql_chaos_apps.strategies.bundled.BundledFactory` that imports its module only when it
is used, and the classes below are imported on first access: listing the strategies, or running
a user's own, needs none of those packages.
"""

from __future__ import annotations

import importlib
from typing import Any

from mysql_chaos_apps.strategies.bundled import BundledFactory

#: Where each strategy class lives, in the order the reports list them.
_CLASSES = {
    "naive-global": ("naive_global", "NaiveGlobalStrategy"),
    "cursor-retry": ("cursor_retry", "CursorRetryStrategy"),
    "per-request": ("per_request", "PerRequestStrategy"),
    "ping-reconnect": ("ping_reconnect", "PingReconnectStrategy"),
    "dbutils-persistent": ("dbutils_persistent", "DBUtilsPersistentStrategy"),
    "dbutils-pooled": ("dbutils_pooled", "DBUtilsPooledStrategy"),
    "sqlalchemy-recycle": ("sqlalchemy_recycle", "SQLAlchemyRecycleStrategy"),
    "sqlalchemy-pre-ping": ("sqlalchemy_pre_ping", "SQLAlchemyPrePingStrategy"),
    "timer-recycle": ("timer_recycle", "TimerRecycleStrategy"),
    "tenacity-statement": ("tenacity_statement", "TenacityStatementStrategy"),
    "tenacity-transaction": ("tenacity_transaction", "TenacityTransactionStrategy"),
    "safe": ("safe", "SafeStrategy"),
    "read-split": ("read_split", "ReadSplitStrategy"),
    "read-split-gtid": ("read_split", "ReadSplitGtidStrategy"),
    "naive-global-mysqlclient": ("driver_variants", "NaiveGlobalMySQLclientStrategy"),
    "safe-mysqlclient": ("driver_variants", "SafeMySQLclientStrategy"),
    "naive-global-connector-pure": ("driver_variants", "NaiveGlobalConnectorPureStrategy"),
    "safe-connector-pure": ("driver_variants", "SafeConnectorPureStrategy"),
    "naive-global-connector-c": ("driver_variants", "NaiveGlobalConnectorCStrategy"),
    "safe-connector-c": ("driver_variants", "SafeConnectorCStrategy"),
    "sqlalchemy-pre-ping-mysqlclient": (
        "driver_variants",
        "SQLAlchemyPrePingMySQLclientStrategy",
    ),
    "sqlalchemy-pre-ping-connector-c": ("driver_variants", "SQLAlchemyPrePingConnectorCStrategy"),
}

#: The driver (:mod:`chaos.drivers`) a bundled strategy connects with, when not PyMySQL.
_DRIVERS = {
    "naive-global-mysqlclient": "mysqlclient",
    "safe-mysqlclient": "mysqlclient",
    "naive-global-connector-pure": "connector-pure",
    "safe-connector-pure": "connector-pure",
    "naive-global-connector-c": "connector-c",
    "safe-connector-c": "connector-c",
    "sqlalchemy-pre-ping-mysqlclient": "mysqlclient",
    "sqlalchemy-pre-ping-connector-c": "connector-c",
}

#: The asyncio drivers' strategies (the ``async`` extra), and what each imports when it is built.
_ASYNC_CLASSES = {
    "sqlalchemy-async-pre-ping": (
        "sqlalchemy_async_pre_ping",
        "SQLAlchemyAsyncPrePingStrategy",
        ("sqlalchemy", "greenlet", "aiomysql"),
    ),
    "aiomysql-safe": ("aiomysql_safe", "AiomysqlSafeStrategy", ("aiomysql",)),
    "asyncmy-safe": ("asyncmy_safe", "AsyncmySafeStrategy", ("asyncmy",)),
}

#: Every bundled strategy by name, in the order the reports list them (the registry reads this).
BUNDLED = {
    **{
        name: BundledFactory(name, f"{__name__}.{module}", attribute, driver=_DRIVERS.get(name))
        for name, (module, attribute) in _CLASSES.items()
    },
    **{
        name: BundledFactory(name, f"{__name__}.{module}", attribute, "async", requires)
        for name, (module, attribute, requires) in _ASYNC_CLASSES.items()
    },
}

_MODULE_OF_CLASS = {
    **{attribute: module for module, attribute in _CLASSES.values()},
    **{attribute: module for module, attribute, _ in _ASYNC_CLASSES.values()},
}

__all__ = ["BUNDLED", *sorted(_MODULE_OF_CLASS)]


def __getattr__(name: str) -> Any:
    """``from mysql_chaos_apps.strategies import SafeStrategy`` imports only that module."""
    module = _MODULE_OF_CLASS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
