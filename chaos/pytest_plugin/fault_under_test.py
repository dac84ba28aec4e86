"""One fault of the catalogue, set up for one test: what the ``mysql_chaos_fault`` fixture gives.

Each test gets a world of its own, armed as a matrix cell arms it
(:class:`~chaos.runner.armed_fault.ArmedFault`): a disposable server (a database of its own on
an external one), the embedded Toxiproxy in front of it for proxy and wire faults, a network
namespace around it for kernel faults. ``prepare()`` has run, so the test's client connects to
a world the fault can strike. The test decides when::

    client = MyClient(**mysql_chaos_fault.pymysql_kwargs())
    client.query("SELECT 1")          # warm up: a live connection
    with mysql_chaos_fault:           # inject() here ...
        ...                           # ... the client meets the fault ...
    client.query("SELECT 1")          # ... heal() here: the client must recover

A fault that never struck the client is not a pass: when the ``with`` block ends and the fault
says it struck nothing (its own count: no session to kill, no link carried a write the toxic
waits for), :class:`FaultNeverStruck` fails the test with the reason; a test that calls
``inject()``/``heal()`` itself gets the same reason as an error at teardown. A fault that cannot
tell (a real Toxiproxy counts nothing) is not judged.

A kernel fault's server lives in a namespace only its own sockets can reach, so the fixture runs
the test inside that namespace (and every thread the test starts): code that connects from a
thread or process started before the test cannot reach the server (2003), and a failing test
says so in its report.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from types import TracebackType
from typing import Any

from chaos.checker.exercised import never_struck
from chaos.fault_effect import FaultEffect, combined
from chaos.faults.base import Fault, Need
from chaos.runner.armed_fault import ArmedFault, FaultUnavailable
from chaos.runner.environment import Backend
from chaos.servers.base import MySQLServer
from chaos.settings import ConnectionSettings

__all__ = ["FaultNeverStruck", "FaultUnavailable", "FaultUnderTest"]


class FaultNeverStruck(AssertionError):
    """The fault was injected and healed and says it struck nothing of the code under test."""


class FaultUnderTest:
    """Start with :meth:`start`; :meth:`stop` heals and removes everything. ``with`` around the
    part of the test that meets the fault injects it on entry and heals it on exit."""

    def __init__(self, fault_class: type[Fault], backend: Backend, toxiproxy: Any) -> None:
        self.fault_class = fault_class
        self._backend = backend
        self._armed = ArmedFault(fault_class, backend, toxiproxy)
        self._inject_effect: FaultEffect | None = None
        self._heal_effect: FaultEffect | None = None
        self._judged = True  # nothing to judge until an inject

    @property
    def name(self) -> str:
        return self.fault_class.name

    @property
    def description(self) -> str:
        """The real-world event this fault models, in one line."""
        return self.fault_class.description

    @property
    def produces(self) -> str:
        """The exception a plain pymysql connection gets from it on the run's server flavour, as
        measured (may be empty)."""
        return self.fault_class.produces_on(self._backend.flavour())

    @property
    def in_namespace(self) -> bool:
        return Need.NETNS in self.fault_class.needs

    def start(self) -> FaultUnderTest:
        """Set up the world and ``prepare()`` the fault; :class:`FaultUnavailable` if it can't."""
        try:
            self._armed.start()
        except FaultUnavailable as e:
            # The runner's reasons name the CLI's options; here the plugin's apply.
            reason = e.reason.replace("--allow-global", "--mysql-chaos-allow-global")
            raise FaultUnavailable(self.name, reason) from None
        return self

    @property
    def fault(self) -> Fault:
        return self._armed.fault

    @property
    def settings(self) -> ConnectionSettings:
        """Where the client under test connects: through the proxy, or to the server."""
        return self._armed.target.client_settings

    @property
    def admin_settings(self) -> ConnectionSettings:
        """Straight to the server as its administrator, for the test's own checks."""
        return self._armed.target.admin_settings

    @property
    def server(self) -> MySQLServer:
        return self._armed.target.server

    def pymysql_kwargs(self, **overrides: Any) -> dict[str, Any]:
        """``pymysql.connect(**fault.pymysql_kwargs())``: the client's connection settings."""
        return self.settings.pymysql_kwargs(**overrides)

    def url(self, scheme: str = "mysql+pymysql") -> str:
        """The same settings as a URL (SQLAlchemy's form by default)."""
        return self.settings.url(scheme=scheme)

    @property
    def injected(self) -> bool:
        return self._armed.injected

    def inject(self) -> FaultEffect:
        """The event happens (it may take a while: a server restart, keepalives dying); returns
        what it did."""
        if not self._armed.injected:
            self._heal_effect, self._judged = None, False
        self._inject_effect = self._armed.inject()
        return self._inject_effect

    def heal(self) -> FaultEffect:
        """The world is repaired; idempotent, and done at teardown too. Returns what it did (a
        protocol toxic's strikes, counted since inject)."""
        was_injected = self._armed.injected
        effect = self._armed.heal()
        if was_injected:
            self._heal_effect = effect
        return effect

    @property
    def strike(self) -> FaultEffect | None:
        """What the last inject and heal struck together (None: not injected yet)."""
        if self._inject_effect is None:
            return None
        return combined(self._inject_effect, self._heal_effect)

    def never_struck(self) -> str | None:
        """Why the fault, injected and healed, did not test anything (None: it struck, or
        cannot tell, or is not through yet); said once."""
        strike = self.strike
        if self._judged or self.injected or strike is None or strike.struck is not False:
            return None
        self._judged = True
        return never_struck(self.name, strike.detail)

    @contextlib.contextmanager
    def entered(self) -> Iterator[None]:
        """Run the block (and the threads it starts) where the client can reach the server."""
        with self._armed.entered():
            yield

    def stop(self) -> None:
        """Heal, put back what ``prepare()`` changed, stop the server, proxy and namespace."""
        try:
            if self._armed.injected:
                self.heal()  # here, not in stop(): its effect says what the fault struck
        finally:
            self._armed.stop()

    def __enter__(self) -> FaultUnderTest:
        self.inject()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.heal()
        reason = self.never_struck() if exc_type is None else None
        if reason is not None:
            raise FaultNeverStruck(reason)

    def __repr__(self) -> str:
        return f"FaultUnderTest({self.name!r})"
