"""What ``matrix`` runs and holds each cell to is decided by the library, before any cell runs."""

from __future__ import annotations

import pytest

from chaos.checker import CheckResult
from chaos.errors import UnknownNameError
from chaos.runner.environment import Backend
from chaos.runner.matrix_plan import MatrixRequest, plan_matrix, select_strategies
from chaos.strategy import strategies
from chaos.strategy.expectations import APP, IN_PROCESS, expected_verdicts
from chaos.verdicts import HELD_TO_EVERY_INVARIANT, CellResult

SPEC = "mysql_chaos_apps.strategies.safe:SafeStrategy"


def _request(*names: str, app_mode: bool = False, **fields: object) -> MatrixRequest:
    faults = ["reset-peer", "idle-timeout", "outage"]
    return MatrixRequest(names, faults, Backend(), jobs=2, app_mode=app_mode, **fields)


def test_no_name_means_every_registered_strategy_and_a_spec_alone_means_none() -> None:
    assert select_strategies(()) == strategies().names()
    assert select_strategies((SPEC,)) == []
    assert select_strategies(("safe", "naive-global")) == ["naive-global", "safe"]
    with pytest.raises(UnknownNameError, match="no-such"):
        select_strategies(("no-such",))


def test_registered_cells_are_held_to_their_recorded_verdicts() -> None:
    plan = plan_matrix(_request("safe", "naive-global"))
    assert plan.strategy_names == ["naive-global", "safe"]
    assert [name for name, _ in plan.factories] == ["naive-global", "safe"]
    assert plan.expectations == expected_verdicts(IN_PROCESS)
    assert plan.total == 6
    norec = plan.expectations[("naive-global", "reset-peer")]
    assert norec.violations == ("not-recovered",)
    clean = CheckResult((), None, failed_ops=0, unknown_ops=0, ok_ops=8)
    assert plan.fails(CellResult("naive-global", "reset-peer", 1.0, check=clean))  # lost teeth
    assert not plan.fails(CellResult("safe", "reset-peer", 1.0, check=clean))


def test_a_spec_in_app_mode_is_held_to_every_invariant_and_a_shard_counts_its_cells() -> None:
    plan = plan_matrix(_request("safe", SPEC, app_mode=True, shard=(2, 4)))
    assert plan.strategy_names == ["safe", SPEC]
    assert plan.factories == [("safe", strategies().get("safe"))]  # the app server loads them
    assert plan.expectations[(SPEC, "outage")] == HELD_TO_EVERY_INVARIANT
    assert plan.expectations[("safe", "outage")] == expected_verdicts(APP)[("safe", "outage")]
    assert plan.total == 2  # 6 cells dealt round-robin: shard 2 of 4 holds the 2nd and 6th
