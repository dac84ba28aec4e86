"""The matrix as a CI gate: a representative subset runs for real and must meet its expectations.

The subset holds every known-broken behaviour the suite promises to catch (never recovering,
half-applied and double-applied transfers) next to the reference safe strategy, so a fault or
checker that lost its teeth fails here. The full 12 x 13 matrix is `mysql-chaos matrix`.
"""

from __future__ import annotations

import json
from xml.etree import ElementTree

import pytest

from chaos.faults import FAULTS
from chaos.reports.html_page import html_grid
from chaos.reports.json_io import dumps_report
from chaos.reports.junit import junit
from chaos.reports.markdown import markdown
from chaos.reports.model import MatrixReport
from chaos.runner.matrix import MatrixRun, run_matrix
from chaos.strategy import strategies
from chaos.strategy.expectations import expected_verdicts

SUBSET_STRATEGIES = [
    "naive-global",
    "ping-reconnect",
    "tenacity-statement",
    "tenacity-transaction",
    "safe",
]
SUBSET_FAULTS = ["kill-connection", "mid-transaction-drop", "ambiguous-commit"]


@pytest.fixture(scope="module")
def subset_run() -> MatrixRun:
    return run_matrix(
        [(name, strategies().get(name)) for name in SUBSET_STRATEGIES],
        [FAULTS.get(name) for name in SUBSET_FAULTS],
        jobs=8,
    )


def _verdicts(run: MatrixRun) -> dict[tuple[str, str], tuple[str, ...]]:
    return {(r.strategy, r.fault): r.violations for r in run.results if r.error is None}


def test_every_subset_cell_meets_its_recorded_expectation(subset_run: MatrixRun) -> None:
    expectations = expected_verdicts()
    assert [r for r in subset_run.results if r.error or r.skipped] == []
    measured = _verdicts(subset_run)
    expected = {key: expectations[key].violations for key in measured}
    assert measured == expected


def test_the_seed_naive_connection_is_caught_never_recovering(subset_run: MatrixRun) -> None:
    # Every operation during the fault fails on the dead connection, and every one after.
    assert _verdicts(subset_run)[("naive-global", "kill-connection")] == (
        "lost-in-fault",
        "not-recovered",
    )


def test_reconnecting_mid_transaction_is_caught_half_applying(subset_run: MatrixRun) -> None:
    verdicts = _verdicts(subset_run)
    assert verdicts[("ping-reconnect", "mid-transaction-drop")] == ("partial",)
    assert verdicts[("tenacity-statement", "mid-transaction-drop")] == ("partial",)


def test_blind_transaction_retry_is_caught_double_applying(subset_run: MatrixRun) -> None:
    assert _verdicts(subset_run)[("tenacity-transaction", "ambiguous-commit")] == ("duplicate",)


def test_the_partial_violation_names_the_operation_that_proves_it(subset_run: MatrixRun) -> None:
    result = next(
        r
        for r in subset_run.results
        if (r.strategy, r.fault) == ("ping-reconnect", "mid-transaction-drop")
    )
    assert result.check is not None
    partial = [v for v in result.check.violations if v.kind == "partial"]
    assert partial and all(v.op_ids for v in partial)


def test_the_reference_safe_strategy_passes_every_subset_fault(subset_run: MatrixRun) -> None:
    verdicts = _verdicts(subset_run)
    assert all(verdicts[("safe", fault)] == () for fault in SUBSET_FAULTS)


def test_the_four_reports_render_the_measured_subset(subset_run: MatrixRun) -> None:
    report = MatrixReport.build(
        subset_run.results,
        expected_verdicts(),
        SUBSET_STRATEGIES,
        SUBSET_FAULTS,
        subset_run.seconds,
    )
    data = json.loads(dumps_report(report))
    assert data["ok"] is True and len(data["cells"]) == 15
    duplicate = next(c for c in data["cells"] if c["verdict"] == "dup")
    assert duplicate["violations"][0]["op_ids"]
    assert duplicate["violations"][0]["kind"] == "duplicate"
    suite = ElementTree.fromstring(junit(report))
    assert suite.get("tests") == "15" and suite.get("failures") == "0"
    table = markdown(report)
    assert "| tenacity-transaction |" in table and "dup" in table
    page = html_grid(report)
    assert all(name in page for name in SUBSET_STRATEGIES + SUBSET_FAULTS)
    assert page.count("<svg") == 15  # a timeline per cell, drawn from its history


def test_the_run_counts_the_cpu_of_its_servers_too(subset_run: MatrixRun) -> None:
    # Every cell started and stopped a mariadbd of its own: its CPU comes back as a reaped
    # child's, so the per-cell figure is at least what one server start costs (well above 0).
    assert subset_run.cpu_seconds > 0
    assert subset_run.cpu_seconds_per_cell == subset_run.cpu_seconds / len(subset_run.results)
    assert subset_run.cpu_seconds_per_cell > 0.01
