"""``still-failing`` (app mode): after the recovery deadline every request must succeed, so one
thread that never recovered shows among healthy ones; and the HTTP-only composition."""

from __future__ import annotations

from dataclasses import replace

from chaos.checker import CHECK_APP_CHECKS, CheckContext
from chaos.checker.result import Violation
from chaos.checker.settled import SettledChecker
from chaos.workload.history import History, Phase

from .builders import history, transfer

HEAL = 10.0
DEADLINE = 3.0


def check_settled(judged: History) -> list[Violation]:
    return SettledChecker().check(judged, None, CheckContext(DEADLINE))


def after_heal(op_id: str, result: str, at: float, error_kind: str | None = None):
    op = transfer(op_id, result, invoke=HEAL + at, complete=HEAL + at + 0.01, phase=Phase.RECOVERY)
    return replace(op, error_kind=error_kind)


def test_one_failing_request_in_sixteen_after_the_deadline_is_still_failing() -> None:
    ops = [after_heal(f"w0-{n}", "ok", 3.0 + n / 100) for n in range(15)]
    ops.append(after_heal("w1-1", "unknown", 3.5, "http-503"))
    (violation,) = check_settled(history(*ops, heal_time=HEAL))
    assert violation.kind == "still-failing"
    assert violation.op_ids == ("w1-1",)
    assert violation.detail.startswith("1 of 16 requests invoked 3s or more after the heal failed")
    assert "1 http-503" in violation.detail


def test_failures_before_the_deadline_are_recovery_not_still_failing() -> None:
    ops = [after_heal("w0-1", "unknown", 0.1), after_heal("w0-2", "fail", 2.9)]
    ops += [after_heal("w0-3", "ok", 3.1)]
    assert check_settled(history(*ops, heal_time=HEAL)) == []


def test_without_a_heal_nothing_is_judged() -> None:
    assert check_settled(history(after_heal("w0-1", "unknown", 5.0))) == []


def test_http_checks_name_recovery_hang_settled_and_the_users_database_check() -> None:
    ops = [after_heal("w0-1", "unknown", 0.5), after_heal("w0-2", "unknown", 3.5)]
    context = CheckContext(DEADLINE, db_check_failure="the database check returned False")
    result = CHECK_APP_CHECKS.judge(history(*ops, heal_time=HEAL), None, context)
    assert [v.kind for v in result.violations] == ["not-recovered", "still-failing", "db-check"]
    assert result.violations[-1].detail == "the database check returned False"


def test_http_checks_pass_a_history_that_recovered() -> None:
    ops = [after_heal("w0-1", "unknown", 0.5), after_heal("w0-2", "ok", 1.0)]
    ops += [after_heal("w0-3", "ok", 3.5)]
    judged = history(*ops, heal_time=HEAL)
    assert CHECK_APP_CHECKS.judge(judged, None, CheckContext(DEADLINE)).passed
