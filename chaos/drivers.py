"""The DB-API drivers a client under test may use, behind one small adapter each.

PyMySQL is the suite's own driver (a base dependency). mysqlclient (``MySQLdb``) and
mysql-connector-python (pure Python, ``use_pure=True``, or its C extension, ``use_pure=False``)
come with the ``drivers`` extra. A driver is imported only when something connects with it, so
nobody pays for, or needs, a driver they do not use; one that cannot be imported is one line
naming the extra (exit 2).

Settings are given in pymysql's vocabulary (``connect_timeout``, ``read_timeout``,
``write_timeout``, ``autocommit``); each adapter translates them into its driver's keywords.
"""

from __future__ import annotations

import importlib
import math
from types import ModuleType
from typing import Any

from chaos.errors import UsageError
from chaos.registry import Registry
from chaos.settings import ConnectionSettings

#: What a connection is: whatever the driver's ``connect`` returns (a DB-API 2 connection).
Connection = Any
EXTRA = "drivers"


class DriverMissingError(UsageError):
    """The driver a user asked for cannot be imported here: install the extra."""


class SessionReplacedError(Exception):
    """The driver answered a ping on a new server session: it reconnected without telling.

    mysql-connector's C extension does so (its libmysqlclient's ping) once the kernel has
    declared the socket dead: the old session, its open transaction and its settings are gone,
    and the new one runs with the server's defaults (``autocommit`` on). It is a disconnect to
    :mod:`chaos.taxonomy` (``SESSION_REPLACED``), so a strategy replaces the connection
    itself instead of running a transaction on a session it did not set up.
    """

    def __init__(self, before: int, after: int) -> None:
        super().__init__(f"session {before} was silently replaced by session {after}")
        self.before, self.after = before, after


class Driver:
    """One driver: how to import it, connect with it, and ask its connection a few things.

    Subclasses set the class attributes and translate settings in :meth:`connect_kwargs`.
    """

    name: str = ""
    #: The distribution to install, and the module to import.
    package: str = ""
    module: str = ""
    #: The extra of mysql-chaos that installs it (None: a base dependency).
    extra: str | None = EXTRA
    #: SQLAlchemy's dialect+driver for a URL.
    sqlalchemy_scheme: str = ""
    summary: str = ""

    def load(self) -> ModuleType:
        """The driver's module, imported now; one line naming the extra when it cannot be."""
        try:
            return importlib.import_module(self.module)
        except ImportError as e:
            install = f"pip install 'mysql-chaos[{self.extra}]'" if self.extra else "reinstall"
            raise DriverMissingError(
                f"driver {self.name!r} needs {self.package}, which cannot be imported here "
                f"({e}): {install}"
            ) from e

    def available(self) -> bool:
        try:
            self.load()
        except DriverMissingError:
            return False
        return True

    def connect_kwargs(self, settings: ConnectionSettings, **overrides: Any) -> dict[str, Any]:
        """Keyword arguments for the driver's ``connect``; ``overrides`` in pymysql's words."""
        raise NotImplementedError

    def connect(self, settings: ConnectionSettings, **overrides: Any) -> Connection:
        return self.load().connect(**self.connect_kwargs(settings, **overrides))

    def error_class(self) -> type[Exception]:
        """The base class of every error the driver raises (its DB-API ``Error``)."""
        return self.load().Error

    def thread_id(self, conn: Connection) -> int:
        """The server's id of the connection's session (what ``KILL`` takes)."""
        return int(conn.thread_id())

    def ping(self, conn: Connection) -> None:
        """Check the connection with one round trip; never reconnect."""
        conn.ping(reconnect=False)

    def begin(self, conn: Connection) -> None:
        conn.begin()


class PyMySQLDriver(Driver):
    name = "pymysql"
    package = "PyMySQL"
    module = "pymysql"
    extra = None
    sqlalchemy_scheme = "mysql+pymysql"
    summary = "PyMySQL, pure Python (the seed's driver)"

    def connect_kwargs(self, settings: ConnectionSettings, **overrides: Any) -> dict[str, Any]:
        return settings.pymysql_kwargs(**overrides)


class MySQLclientDriver(Driver):
    name = "mysqlclient"
    package = "mysqlclient"
    module = "MySQLdb"
    sqlalchemy_scheme = "mysql+mysqldb"
    summary = "mysqlclient (MySQLdb), a C extension over libmysqlclient or libmariadb"

    def connect_kwargs(self, settings: ConnectionSettings, **overrides: Any) -> dict[str, Any]:
        options = settings.pymysql_kwargs(**overrides)
        # MySQLdb knows no ssl_disabled; libmariadb (Debian's build) uses TLS only when asked.
        options.pop("ssl_disabled", None)
        return _whole_seconds(options)

    def ping(self, conn: Connection) -> None:
        conn.ping()  # mysqlclient >= 2.2 deprecates its reconnect argument; off by default


class ConnectorDriver(Driver):
    """mysql-connector-python with ``use_pure`` chosen: the pure protocol or its C extension."""

    package = "mysql-connector-python"
    module = "mysql.connector"
    sqlalchemy_scheme = "mysql+mysqlconnector"

    def __init__(self, use_pure: bool) -> None:
        self.use_pure = use_pure
        self.name = "connector-pure" if use_pure else "connector-c"
        self.summary = "mysql-connector-python, " + (
            "pure Python (use_pure=True)" if use_pure else "its C extension (use_pure=False)"
        )

    def load(self) -> ModuleType:
        module = super().load()
        if not self.use_pure and not module.HAVE_CEXT:
            raise DriverMissingError(
                f"driver {self.name!r} needs the C extension of {self.package}, which cannot be "
                f"loaded here (see python -c 'import _mysql_connector'): pip install "
                f"'mysql-chaos[{self.extra}]'"
            )
        return module

    def connect_kwargs(self, settings: ConnectionSettings, **overrides: Any) -> dict[str, Any]:
        options = _whole_seconds(settings.pymysql_kwargs(**overrides))
        # TLS when the server offers it (MySQL; the disposable MariaDB does not): connector's
        # caching_sha2_password, MySQL 9's only login, refuses a full login over plain TCP
        # (2061, or 1045 from the pure driver) and has no RSA key exchange to fall back on.
        if options.get("ssl_disabled"):
            del options["ssl_disabled"]
        if "connect_timeout" in options:
            options["connection_timeout"] = options.pop("connect_timeout")
        options.setdefault("use_pure", self.use_pure)
        # Buffered cursors read a whole result at execute(): a cursor closed after fetchone()
        # would otherwise raise "Unread result found", which no other driver does.
        options.setdefault("buffered", True)
        return options

    def thread_id(self, conn: Connection) -> int:
        return int(conn.connection_id)

    def ping(self, conn: Connection) -> None:
        """Ping; a session the C extension replaced meanwhile is :class:`SessionReplacedError`."""
        before = self.thread_id(conn)
        conn.ping(reconnect=False)
        after = self.thread_id(conn)
        if after != before:
            raise SessionReplacedError(before, after)

    def begin(self, conn: Connection) -> None:
        conn.start_transaction()


def _whole_seconds(options: dict[str, Any]) -> dict[str, Any]:
    """Timeouts rounded up to whole seconds: the C client and mysql-connector take only those
    (connector refuses a float), and rounding up never turns a timeout into none."""
    for name in ("connect_timeout", "read_timeout", "write_timeout"):
        if options.get(name) is not None:
            options[name] = max(1, math.ceil(options[name]))
    return options


DRIVERS: Registry[Driver] = Registry("driver")
for _driver in (
    PyMySQLDriver(),
    MySQLclientDriver(),
    ConnectorDriver(use_pure=True),
    ConnectorDriver(use_pure=False),
):
    DRIVERS.add(_driver.name, _driver)

DEFAULT = "pymysql"


def driver(name: str = DEFAULT) -> Driver:
    """The driver called ``name``; an unknown name lists the valid ones (exit 2)."""
    return DRIVERS.get(name)
