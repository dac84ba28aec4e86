"""The time constants of a cell, scaled so the seed's hours become seconds.

The seed's server closes idle connections after 8 h (``wait_timeout``) and its fixes recycle
after 1 h; here the idle timeout is 1 s and recycling 0.125 s, the same 8:1 ratio.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from chaos.settings import ConnectionSettings
from chaos.strategy import StrategyConfig

# A cell mostly waits (a read timeout, keepalive probes, an outage's seconds): 6 per core keep
# the cores busy. Measured on 2 cores: the 228-cell matrix in 52-55 s with 12, 66-74 s with 8,
# verdicts identical over repeated full runs.
DEFAULT_JOBS = max(4, 6 * (os.cpu_count() or 1))


@dataclass(frozen=True)
class CellTiming:
    workers: int = 4
    #: Operations per worker before the fault: every worker holds a live connection.
    warmup_operations: int = 2
    #: An operation still running after this many seconds is a hang.
    hard_deadline: float = 8.0
    #: After heal, an operation must succeed within this many seconds.
    recovery_deadline: float = 3.0
    #: The seed's wait_timeout (8 h) and recycle interval (1 h), scaled.
    idle_seconds: float = 1.0
    recycle_seconds: float = 0.125
    #: The connect/read/write timeouts ``StrategyConfig.connection`` carries (the seed's
    #: strategies ignore them: pymysql's defaults).
    client_timeouts: dict[str, Any] = field(
        default_factory=lambda: {"connect_timeout": 1.0, "read_timeout": 1.0, "write_timeout": 1.0}
    )

    def strategy_config(
        self, connection: ConnectionSettings, read_connection: ConnectionSettings | None = None
    ) -> StrategyConfig:
        """What a strategy factory receives in a cell with these timings (``read_connection``:
        the cell's replica, with the same timeouts)."""
        timeouts = self.client_timeouts
        values = (timeouts["connect_timeout"], timeouts["read_timeout"], timeouts["write_timeout"])
        return StrategyConfig(
            connection=connection.with_timeouts(*values),
            read_connection=None
            if read_connection is None
            else read_connection.with_timeouts(*values),
            recycle_seconds=self.recycle_seconds,
            idle_seconds=self.idle_seconds,
        )
