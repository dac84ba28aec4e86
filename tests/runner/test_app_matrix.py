"""App mode as a CI gate: the seed's app under uWSGI (1 process, 16 threads) meets real faults
under HTTP load from separate processes, and its measured verdicts hold.

The subset holds the seed's naive connection (caught never recovering), the reference safe
strategy (passes), one app thread of sixteen that never recovers (caught only by the settled
check: every HTTP client still gets answers from the other fifteen), a wire fault, a SQL fault
and a kernel fault. ``mysql-chaos matrix --app`` runs the whole default set.
"""

from __future__ import annotations

import pytest

from chaos.faults import FAULTS
from chaos.runner.app_matrix import run_app_matrix
from chaos.runner.app_under_test import seed_app
from chaos.runner.matrix import MatrixRun
from chaos.strategy.expectations import APP, expected_verdicts

STRATEGIES = ["naive-global", "tenacity-statement", "safe"]
FAULT_NAMES = ["middlebox-drop", "kill-connection", "ambiguous-commit"]


@pytest.fixture(scope="module")
def app_run() -> MatrixRun:
    return run_app_matrix(
        [seed_app(name) for name in STRATEGIES],
        [FAULTS.get(name) for name in FAULT_NAMES],
        jobs=9,
    )


def _verdicts(run: MatrixRun) -> dict[tuple[str, str], tuple[str, ...]]:
    return {(r.strategy, r.fault): r.violations for r in run.results}


def test_every_app_cell_ran_and_meets_its_measured_expectation(app_run: MatrixRun) -> None:
    assert [(r.strategy, r.fault, r.error or r.skipped) for r in app_run.results
            if r.error or r.skipped] == []  # fmt: skip
    expectations = expected_verdicts(APP)
    measured = _verdicts(app_run)
    assert measured == {key: expectations[key].violations for key in measured}


def test_the_seed_naive_connection_is_caught_never_recovering_over_http(
    app_run: MatrixRun,
) -> None:
    verdicts = _verdicts(app_run)
    for fault in FAULT_NAMES:
        assert verdicts[("naive-global", fault)] == ("not-recovered", "still-failing")


def test_safe_passes_a_kernel_a_sql_and_a_wire_fault_under_load(app_run: MatrixRun) -> None:
    verdicts = _verdicts(app_run)
    assert [verdicts[("safe", fault)] for fault in FAULT_NAMES] == [(), (), ()]


def test_one_app_thread_that_never_recovers_shows_as_a_share_of_failing_requests(
    app_run: MatrixRun,
) -> None:
    # tenacity-statement: the struck thread's connection is left closed and never replaced;
    # every client still succeeds through the other threads, so only the settled check sees it.
    cell = next(
        r
        for r in app_run.results
        if (r.strategy, r.fault) == ("tenacity-statement", "ambiguous-commit")
    )
    assert cell.violations == ("still-failing",)
    assert cell.check is not None
    (violation,) = cell.check.violations
    failing, total = (int(word) for word in violation.detail.split()[:3:2])
    assert 0 < failing < total / 4


def test_each_app_cell_reports_its_5xx_answers_per_phase(app_run: MatrixRun) -> None:
    for result in app_run.results:
        assert result.notes[0].startswith("5xx per phase: warmup 0/")
    naive = next(
        r for r in app_run.results if (r.strategy, r.fault) == ("naive-global", "kill-connection")
    )
    recovery = naive.notes[0].split("recovery ")[1]
    failed, total = recovery.split("/")
    assert int(failed) == int(total) > 0
