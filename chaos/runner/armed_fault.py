"""One fault armed in a world of its own: what every front end runs a fault through.

The matrix cell, the app cell, ``repro`` and the pytest fixture all take a fault through the
same steps, here and nowhere else:

1. pre-flight: the fault's needs against the backend and the proxy, before anything starts
   (:mod:`chaos.runner.preflight`); an unmet need is :class:`FaultUnavailable`, a skip;
2. environment: a server, a proxy or a namespace as the fault needs (:class:`CellEnvironment`),
   then the fault's own check of that world (a Toxiproxy without its toxic is a skip too);
3. the front end's set-up (a schema, a table), then ``prepare()``, inside the namespace if any;
4. ``inject()`` and ``heal()``, each returning what it did (:class:`FaultEffect`);
5. ``disarm()``: heal and put back what ``prepare()`` changed; ``stop()``: disarm, then remove
   the environment. Both idempotent; ``start()`` that fails stops what it had started.

Once the environment is starting, anything that raises is the caller's error, never a skip.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

from chaos.fault_effect import FaultEffect
from chaos.faults.base import Fault, FaultTarget
from chaos.runner.environment import Backend, CellEnvironment
from chaos.runner.preflight import unmet_need


class FaultUnavailable(Exception):
    """This fault cannot run here (decided before anything of the cell ran); ``reason`` says
    why, and the message is ``<fault>: <reason>``."""

    def __init__(self, fault_name: str, reason: str) -> None:
        super().__init__(f"{fault_name}: {reason}")
        self.fault_name = fault_name
        self.reason = reason


class ArmedFault:
    """Start with :meth:`start` (or ``with``); :meth:`stop` heals and removes everything.

    ``set_up(target)`` runs after the environment is up and before ``prepare()`` (and before
    the client under test connects): where a front end creates what its client needs.
    ``transfer_signature`` is the workload's word for what its judged work looks like on the
    wire (:attr:`FaultTarget.transfer_signature`); empty where the front end has no workload.
    """

    def __init__(
        self,
        fault_class: type[Fault],
        backend: Backend,
        toxiproxy: Any = None,
        *,
        set_up: Callable[[FaultTarget], None] | None = None,
        transfer_signature: str = "",
    ) -> None:
        self.fault_class = fault_class
        self.transfer_signature = transfer_signature
        self.backend = backend
        self.toxiproxy = toxiproxy
        self._set_up = set_up
        self._environment: CellEnvironment | None = None
        self._target: FaultTarget | None = None
        self._fault: Fault | None = None

    @property
    def name(self) -> str:
        return self.fault_class.name

    def start(self) -> ArmedFault:
        """Pre-flight, environment, set-up, ``prepare()``; :class:`FaultUnavailable` if the
        fault cannot run here."""
        reason = unmet_need(self.fault_class, self.backend, self.toxiproxy)
        if reason is not None:
            raise FaultUnavailable(self.name, reason)
        try:
            self._environment = CellEnvironment(self.fault_class, self.backend, self.toxiproxy)
            self._environment.start()
            target = self._target = self._environment.target
            assert target is not None
            target.transfer_signature = self.transfer_signature
            # Still before anything of the cell ran: e.g. a Toxiproxy without the toxic.
            reason = self.fault_class.unmet_need(target)
            if reason is not None:
                raise FaultUnavailable(self.name, reason)
            self._fault = self.fault_class(target)
            with self._environment.entered():
                if self._set_up is not None:
                    self._set_up(target)
                self._fault.prepare()
        except BaseException:
            self.stop()
            raise
        return self

    @property
    def fault(self) -> Fault:
        if self._fault is None:
            raise RuntimeError(f"{self.name} is not started")
        return self._fault

    @property
    def target(self) -> FaultTarget:
        """The world the fault acts on; there until :meth:`stop`, also once disarmed."""
        if self._target is None:
            raise RuntimeError(f"{self.name} is not started")
        return self._target

    @property
    def injected(self) -> bool:
        return self._fault is not None and self._fault.injected

    def inject(self) -> FaultEffect:
        """The event happens (it may take a while: a server restart, keepalives dying)."""
        return self.fault.inject()

    def heal(self) -> FaultEffect:
        """The world is repaired; idempotent, and done by :meth:`disarm` too."""
        return self.fault.heal()

    @contextlib.contextmanager
    def entered(self) -> Iterator[None]:
        """Run the block (and the threads it starts) where the client can reach the server."""
        if self._environment is None:
            raise RuntimeError(f"{self.name} is not started")
        with self._environment.entered():
            yield

    def preexec(self) -> Callable[[], None] | None:
        """A ``preexec_fn`` that puts a child process where the client can reach the server."""
        namespace = self._environment.namespace if self._environment is not None else None
        return namespace.preexec() if namespace is not None else None

    def disarm(self) -> None:
        """Heal (retried) and put back the GLOBAL variables ``prepare()`` changed; idempotent.

        A failure is raised, once: an unhealed world must not be judged, and the environment
        that :meth:`stop` removes goes with it.
        """
        fault, self._fault = self._fault, None
        if fault is not None:
            fault.close()

    def stop(self) -> None:
        """Disarm, then stop the server, proxy and namespace (also when disarming failed)."""
        environment, self._environment = self._environment, None
        self._target = None
        try:
            self.disarm()
        finally:
            if environment is not None:
                environment.stop()

    def __enter__(self) -> ArmedFault:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"ArmedFault({self.name!r})"
