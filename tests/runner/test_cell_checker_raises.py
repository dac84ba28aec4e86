"""A checker that raises inside a real cell: the cell gets a verdict (``unknown``, naming the
checker), never an exception or an ``error`` that hides what the other checkers proved.

The test-only fault is kill-connection (the quickest real cell) whose heal also writes a value
into one account's ``moves`` column that no token parser accepts, so the checkers that read the
tokens raise on the real final state; everything else is real: server, strategy, workload.
"""

from __future__ import annotations

import pymysql

from chaos.checker import ViolationKind
from chaos.faults.sql_faults import KillConnectionFault
from chaos.runner.matrix import run_matrix
from chaos.strategy import strategies
from chaos.verdicts.expectations import held_to_every_invariant
from chaos.verdicts.gate import ExitCode, judge_matrix


class HealCorruptsMovesFault(KillConnectionFault):
    name = "test-heal-corrupts-moves"

    def _heal(self) -> None:
        conn = pymysql.connect(**self.target.admin_settings.pymysql_kwargs(autocommit=True))
        try:
            with conn.cursor() as cursor:
                cursor.execute("UPDATE accounts SET moves = 'not a token' WHERE id = 1")
        finally:
            conn.close()


def test_a_checker_that_raises_in_a_cell_is_an_unknown_verdict_naming_it() -> None:
    run = run_matrix([("safe", strategies().get("safe"))], [HealCorruptsMovesFault], jobs=1)
    (result,) = run.results
    assert result.error is None and result.check is not None
    assert result.verdict == "unknown"
    named = [v.detail.split(" raised ")[0] for v in result.check.of_kind(ViolationKind.UNKNOWN)]
    assert named == ["checker atomic", "checker duplicate", "checker outcomes"]
    held = held_to_every_invariant("safe", [result.fault])  # check's expectations
    assert judge_matrix([result], held).exit_code is ExitCode.FAILED
