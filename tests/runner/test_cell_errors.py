"""A cell whose fault raises is a result (``error``), the other cells still run; heal is retried.

Test-only faults build on kill-connection (no namespace, no proxy: the quickest real cell) and
break one step on purpose; everything else is real: servers, strategy, workload, checker.
"""

from __future__ import annotations

from typing import ClassVar

import pytest

from chaos.errors import CapabilityMissingError, FaultError
from chaos.faults.base import Fault
from chaos.faults.sql_faults import KillConnectionFault
from chaos.runner.matrix import run_matrix
from chaos.strategy import strategies
from chaos.verdicts.cell_result import CellResult
from chaos.verdicts.expectations import held_to_every_invariant
from chaos.verdicts.gate import ExitCode, judge_matrix


class InjectRaisesFault(KillConnectionFault):
    name = "test-inject-raises"

    def _inject(self) -> None:
        raise FaultError("test-inject-raises: the rule could not be installed")


class InjectHasABugFault(KillConnectionFault):
    name = "test-inject-bug"

    def _inject(self) -> None:
        raise KeyError("no such rule")


class CapabilityLostMidCellFault(KillConnectionFault):
    """A command failing after the pre-flight (as a failing nft would) must not become a skip."""

    name = "test-capability-mid-cell"

    def _inject(self) -> None:
        raise CapabilityMissingError("nft add rule failed: Operation not permitted")


class HealFailsOnceFault(KillConnectionFault):
    name = "test-heal-fails-once"
    heal_retry_pause = 0.01
    heal_calls: ClassVar[list[str]] = []

    def _heal(self) -> None:
        self.heal_calls.append(self.name)
        if len(self.heal_calls) == 1:
            raise FaultError("transient: the admin session was refused")


class HealAlwaysFailsFault(KillConnectionFault):
    name = "test-heal-always-fails"
    heal_retry_pause = 0.01
    heal_calls: ClassVar[list[str]] = []

    def _heal(self) -> None:
        self.heal_calls.append(self.name)
        raise FaultError("the rules are still in place")


def _run(*faults: type[Fault]) -> dict[str, CellResult]:
    run = run_matrix([("safe", strategies().get("safe"))], list(faults), jobs=4)
    return {result.fault: result for result in run.results}


@pytest.fixture(scope="module")
def results() -> dict[str, CellResult]:
    return _run(
        KillConnectionFault, InjectRaisesFault, InjectHasABugFault, CapabilityLostMidCellFault
    )


def test_a_fault_whose_inject_raises_is_an_error_cell_with_its_message(results) -> None:
    result = results["test-inject-raises"]
    assert result.verdict == "error"
    assert result.error == "test-inject-raises: the rule could not be installed"
    assert result.skipped is None and result.check is None


def test_the_other_cells_still_run_to_a_verdict(results) -> None:
    assert results["kill-connection"].verdict == "pass"
    assert len(results) == 4


def test_a_bug_in_a_cell_is_an_error_with_its_type_never_an_abort(results) -> None:
    assert results["test-inject-bug"].error == "KeyError: 'no such rule'"


def test_a_capability_error_after_the_pre_flight_is_an_error_not_a_skip(results) -> None:
    result = results["test-capability-mid-cell"]
    assert result.skipped is None
    assert result.error == "nft add rule failed: Operation not permitted"


def test_an_errored_cell_fails_the_gate_with_the_error_code(results) -> None:
    (strategy,) = {result.strategy for result in results.values()}
    held = held_to_every_invariant(strategy, list(results))  # check's expectations
    assert judge_matrix(results.values(), held).exit_code is ExitCode.ERRORED
    assert judge_matrix([results["kill-connection"]], held).exit_code is ExitCode.OK


def test_a_heal_that_fails_once_is_retried_and_the_cell_gets_its_verdict() -> None:
    HealFailsOnceFault.heal_calls.clear()
    result = _run(HealFailsOnceFault)["test-heal-fails-once"]
    assert result.verdict == "pass", result.error
    assert len(HealFailsOnceFault.heal_calls) == 2


def test_a_heal_that_always_fails_is_an_error_naming_the_fault() -> None:
    HealAlwaysFailsFault.heal_calls.clear()
    result = _run(HealAlwaysFailsFault)["test-heal-always-fails"]
    assert result.verdict == "error"
    assert result.error is not None
    assert result.error.startswith("test-heal-always-fails: heal failed after 3 attempts")
    assert "the rules are still in place" in result.error
    # Bounded: the cell's heal and the cleanup's second try, three attempts each, then it stops.
    assert len(HealAlwaysFailsFault.heal_calls) == 6
