"""The one interface every reconnect strategy implements: ours and users' alike.

A *factory* takes a :class:`StrategyConfig` and returns a :class:`Strategy`. The strategy runs a
:class:`UnitOfWork` (a function of a DB-API connection) as **one transaction** and reports:

- it returns the body's result: the transaction committed (``ok``);
- it raises :class:`DefiniteFailure`: the strategy guarantees nothing was applied (``fail``);
- it raises anything else: it may or may not have been applied (``unknown``).

A connection lost while COMMIT was in flight is ``unknown``; only a strategy that has checked
(for example by reading back ``unit.was_applied``) may turn it into ok or fail.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar, runtime_checkable

from chaos.settings import ConnectionSettings

T = TypeVar("T")

#: What a unit of work receives: a DB-API 2 connection (pymysql's, or a wrapper with the same
#: ``cursor()`` / ``commit()`` / ``rollback()``).
Connection = Any


class DefiniteFailure(Exception):
    """Raised by a strategy when it knows the unit of work was not applied."""


@dataclass(frozen=True)
class UnitOfWork:
    """One transaction's worth of work.

    ``body`` issues the statements (it must not commit: the strategy does). ``was_applied``, when
    given, reads back whether this unit's effects are already committed (for example by looking
    up ``op_id`` in a ledger); a strategy may call it on a fresh connection after an ambiguous
    commit, before retrying. ``read_only`` says the body only reads: a strategy that splits
    reads may run it on a replica (:attr:`StrategyConfig.read_connection`).
    """

    op_id: str
    body: Callable[[Connection], Any]
    was_applied: Callable[[Connection], bool] | None = None
    read_only: bool = False


@dataclass(frozen=True)
class StrategyConfig:
    """What a factory receives.

    The seed's time constants are scaled down together so a matrix cell takes seconds:
    ``recycle_seconds`` is the seed's one-hour recycle (``pool_recycle=3600``, the timer pool's
    ``refresh_time``), and ``idle_seconds`` is the seed's eight-hour ``wait_timeout``; the ratio
    8:1 is kept.

    ``connection`` says where to connect and carries the connect/read/write timeouts the run
    wants (1 s each in a matrix or ``check`` cell); ``connection.pymysql_kwargs()`` passes them
    on. A strategy may ignore them (the seed's strategies do, see
    :attr:`BaseStrategy.keeps_timeouts`: pymysql's defaults have no read timeout). In a cell,
    ``connection.session`` is the session state the run asks for (:mod:`chaos.session_setup`),
    passed on as the driver's ``init_command``; the ``drift`` invariant holds each worker to
    the state its client set up, so a reconnect must set it up again. ``extra``
    holds the user's own options (``mysql-chaos check --option KEY=VALUE``), nothing else.

    ``read_connection`` is a replica of ``connection``'s server, with the same account,
    timeouts and session, where a strategy that splits reads may send units marked
    ``read_only``; it lags the primary, so a read there may miss an acknowledged write unless
    the strategy waits for it (``stale-read``). None when the cell has no replica: then every
    unit goes to ``connection``.
    """

    connection: ConnectionSettings
    read_connection: ConnectionSettings | None = None
    recycle_seconds: float = 0.25
    idle_seconds: float = 2.0
    extra: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class Strategy(Protocol):
    """Runs units of work against a database and is closed at the end."""

    def run(self, unit: UnitOfWork) -> Any: ...

    def close(self) -> None: ...


StrategyFactory = Callable[[StrategyConfig], Strategy]


class BaseStrategy(ABC):
    """Convenience base for the bundled strategies: a name, a one-line summary, ``close``."""

    #: Registry name, e.g. ``"naive-global"``.
    name: str = ""
    #: One line: what this strategy does, as the seed or library describes it.
    summary: str = ""

    #: Whether :attr:`settings` keeps the timeouts ``config.connection`` carries. The seed's
    #: strategies set it to False: they connect with pymysql's defaults, no read timeout, which is
    #: exactly why they hang on a frozen server.
    keeps_timeouts: bool = True
    #: Whether the strategy runs ``config.connection.session.object_setup()`` on each new
    #: connection (a temporary table, a prepared statement its code relies on): the reads then
    #: look for them too, and a reconnect that skips them is ``drift``. Any strategy may say so
    #: with this attribute, a subclass of this one or not.
    keeps_session_objects: bool = False

    def __init__(self, config: StrategyConfig) -> None:
        self.config = config
        connection = config.connection
        if not self.keeps_timeouts:
            connection = connection.with_timeouts(None, None, None)
        self.settings = connection

    @abstractmethod
    def run(self, unit: UnitOfWork) -> Any: ...

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections; strategies holding none need not override."""

    def __enter__(self) -> BaseStrategy:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
