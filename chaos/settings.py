"""Connection settings: where a client connects and with which timeouts."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, replace
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from chaos.errors import UsageError
from chaos.session_setup import SessionSetup


@dataclass(frozen=True)
class ConnectionSettings:
    """Everything a client needs to reach a MySQL server.

    ``connect_timeout`` / ``read_timeout`` / ``write_timeout`` are pymysql's; ``None`` means
    pymysql's own default (no read/write timeout at all, which is how a half-open server hangs a
    client forever).
    """

    host: str = "127.0.0.1"
    port: int = 3306
    user: str = "root"
    #: Never in a repr: settings end up in logs, reprs and error messages.
    password: str = field(default="", repr=False)
    database: str = "test"
    #: A Unix socket path; when set, pymysql uses it instead of host/port.
    unix_socket: str | None = None
    connect_timeout: float | None = None
    read_timeout: float | None = None
    write_timeout: float | None = None
    #: The session state the run asks the client to set up (None: none asked). The driver's
    #: ``init_command`` carries it, so a reconnect through the driver sets it up again.
    session: SessionSetup | None = None

    def pymysql_kwargs(self, **overrides: Any) -> dict[str, Any]:
        """Keyword arguments for ``pymysql.connect``.

        TLS is disabled: every server this suite talks to is on loopback or in a namespace it
        made, and pymysql >= 1.2 would otherwise build a fresh SSLContext on every connect
        (about 19 ms each), which would distort every reconnect measurement.
        """
        kwargs: dict[str, Any] = {
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "password": self.password,
            "database": self.database,
            "ssl_disabled": True,
        }
        if self.unix_socket:
            kwargs["unix_socket"] = self.unix_socket
        if self.session is not None:
            kwargs["init_command"] = self.init_command()
        for name in ("connect_timeout", "read_timeout", "write_timeout"):
            value = getattr(self, name)
            if value is not None:
                kwargs[name] = value
        kwargs.update(overrides)
        return kwargs

    def init_command(self) -> str | None:
        """The ``init_command`` that sets :attr:`session` up, None without one: for a client
        that passes its options by hand (the async drivers, SQLAlchemy's ``connect_args``)."""
        return self.session.init_command() if self.session is not None else None

    def url(self, scheme: str = "mysql+pymysql") -> str:
        """A SQLAlchemy-style URL (no timeouts; pass those as connect_args)."""
        auth = quote(self.user, safe="")
        if self.password:
            auth += ":" + quote(self.password, safe="")
        return f"{scheme}://{auth}@{self.host}:{self.port}/{self.database}"

    def describe(self) -> str:
        """``user@host:port/database`` (or the socket) for messages: never the password."""
        where = self.unix_socket or f"{self.host}:{self.port}"
        return f"{self.user}@{where}/{self.database}"

    def with_timeouts(
        self, connect: float | None, read: float | None, write: float | None
    ) -> ConnectionSettings:
        return replace(self, connect_timeout=connect, read_timeout=read, write_timeout=write)

    def with_session(self, session: SessionSetup | None) -> ConnectionSettings:
        return replace(self, session=session)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["session"] = self.session  # kept whole, so ConnectionSettings(**data) round-trips
        return data

    @classmethod
    def from_url(cls, url: str) -> ConnectionSettings:
        """Parse ``mysql://user:password@host:port/database``."""
        parts = urlsplit(url)
        shown = redact_url(url)
        if parts.scheme not in ("mysql", "mysql+pymysql", "mariadb") or not parts.hostname:
            raise UsageError(f"not a MySQL URL (mysql://user:password@host:port/db): {shown!r}")
        try:
            port = parts.port or 3306
        except ValueError as e:
            raise UsageError(f"bad port in URL {shown!r}") from e
        return cls(
            host=parts.hostname,
            port=port,
            user=unquote(parts.username or "root"),
            password=unquote(parts.password or ""),
            database=parts.path.lstrip("/") or "test",
        )


# The password of "scheme://user:password@host": everything after the first ':' of the
# userinfo, up to the last '@' before the path (a password may itself hold '@').
_URL_PASSWORD = re.compile(r"^(?P<head>[^:/]+://[^:@/]*):(?P<password>[^/]*)@")


def redact_url(url: str) -> str:
    """``url`` with its password replaced by ``***``, for any message that quotes it."""
    return _URL_PASSWORD.sub(lambda m: f"{m.group('head')}:***@", url, count=1)
