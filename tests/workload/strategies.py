"""Tiny real strategies for the driver tests: a pymysql connection per unit of work."""

from __future__ import annotations

import threading
from typing import Any

import pymysql

from chaos.settings import ConnectionSettings
from chaos.strategy import DefiniteFailure, UnitOfWork


class PerUnitConnectionStrategy:
    """Open, run the body, commit, close: the simplest strategy that is always right."""

    def __init__(self, settings: ConnectionSettings) -> None:
        self.settings = settings

    def run(self, unit: UnitOfWork) -> Any:
        conn = pymysql.connect(**self.settings.pymysql_kwargs())
        try:
            result = unit.body(conn)
            self.commit(unit, conn)
            return result
        finally:
            conn.close()  # closing without COMMIT rolls back

    def commit(self, unit: UnitOfWork, conn: pymysql.Connection) -> None:
        conn.commit()

    def close(self) -> None:
        pass


class ScriptedStrategy(PerUnitConnectionStrategy):
    """Per-unit connection, except for op ids told to fail or to lose their COMMIT's reply."""

    def __init__(
        self,
        settings: ConnectionSettings,
        refuse: frozenset[str] = frozenset(),
        lose_reply: frozenset[str] = frozenset(),
        lie_failed: frozenset[str] = frozenset(),
    ) -> None:
        super().__init__(settings)
        self.refuse = refuse
        self.lose_reply = lose_reply
        self.lie_failed = lie_failed

    def run(self, unit: UnitOfWork) -> Any:
        if unit.op_id in self.refuse:
            try:
                raise pymysql.err.OperationalError(2003, "Can't connect to MySQL server")
            except pymysql.err.OperationalError as e:
                raise DefiniteFailure(f"{unit.op_id} never started") from e
        return super().run(unit)

    def commit(self, unit: UnitOfWork, conn: pymysql.Connection) -> None:
        conn.commit()
        if unit.op_id in self.lose_reply:
            raise pymysql.err.OperationalError(2013, "Lost connection to MySQL server")
        if unit.op_id in self.lie_failed:
            raise DefiniteFailure(f"{unit.op_id} claimed failed after it committed")


class GatedStrategy(PerUnitConnectionStrategy):
    """Blocks units while the gate is closed: a client with no read timeout on a frozen server.

    Only op ids starting with ``stalled_prefix`` wait (all of them by default).
    """

    def __init__(self, settings: ConnectionSettings, stalled_prefix: str = "") -> None:
        super().__init__(settings)
        self.stalled_prefix = stalled_prefix
        self.gate = threading.Event()
        self.gate.set()

    def run(self, unit: UnitOfWork) -> Any:
        if unit.op_id.startswith(self.stalled_prefix):
            self.gate.wait()
        return super().run(unit)


class ThreadRecordingStrategy(PerUnitConnectionStrategy):
    """Remembers which thread ran each op: the driver's workers must be long-lived."""

    def __init__(self, settings: ConnectionSettings) -> None:
        super().__init__(settings)
        self.threads: dict[str, int] = {}

    def run(self, unit: UnitOfWork) -> Any:
        self.threads[unit.op_id] = threading.get_ident()
        return super().run(unit)


class AlwaysFailingStrategy:
    """Every unit is refused before it starts, as by a server that is down for good."""

    def run(self, unit: UnitOfWork) -> Any:
        raise DefiniteFailure("server unreachable")

    def close(self) -> None:
        pass
