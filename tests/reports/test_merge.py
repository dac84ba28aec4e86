"""Merging shards' JSON reports: one grid, one verdict by the gate's rules, or one clear refusal."""

from __future__ import annotations

import pytest

from chaos.reports.json_io import dumps_report
from chaos.reports.merge import MergeError, merge_reports
from chaos.runner.shard import select_shard
from chaos.verdicts.gate import ExitCode

from .cells import passed, report, results, skipped


def _shards(total: int, cells=None) -> list[tuple[str, object]]:
    cells = results() if cells is None else cells
    return [
        (f"shard{k}.json", report(tuple(select_shard(cells, k, total)), shard=(k, total)))
        for k in range(1, total + 1)
    ]


@pytest.mark.parametrize("total", [1, 2, 3])
def test_the_merged_shards_equal_the_single_run(total: int) -> None:
    assert dumps_report(merge_reports(_shards(total))) == dumps_report(report())


def test_the_merged_gate_judges_every_cell_of_every_shard() -> None:
    broken = (passed("naive-global", "outage"), *results()[1:])  # expected norec, measured pass
    merged = merge_reports(_shards(2, broken))
    assert merged.gate.exit_code is ExitCode.FAILED
    assert [c.label for c in merged.mismatches] == ["pass!"]


def test_a_skip_in_one_shard_fails_the_merged_gate_unless_skips_are_allowed() -> None:
    cells = (*results()[:3], skipped("safe", "kill-connection"))
    assert merge_reports(_shards(2, cells)).gate.exit_code is ExitCode.SKIPPED
    assert merge_reports(_shards(2, cells), allow_skip=True).gate.exit_code is ExitCode.OK


def test_a_cell_in_two_reports_is_refused_naming_both_files() -> None:
    with pytest.raises(MergeError, match=r"naive-global x outage is in both a\.json and b\.json"):
        merge_reports([("a.json", report()), ("b.json", report())])


def test_a_missing_shard_is_refused() -> None:
    with pytest.raises(MergeError, match=r"shard\(s\) 2/3 missing"):
        merge_reports([_shards(3)[0], _shards(3)[2]])


def test_shards_of_different_splits_are_refused() -> None:
    with pytest.raises(MergeError, match="different splits"):
        merge_reports([_shards(2)[0], _shards(3)[1]])


def test_the_same_shard_twice_is_refused() -> None:
    first = _shards(2)[0]
    with pytest.raises(MergeError, match="shard 1/2 is both"):
        merge_reports([first, ("again.json", first[1])])


def test_a_hole_in_the_grid_is_refused_rather_than_judged_green() -> None:
    with pytest.raises(MergeError, match=r"1 cell\(s\) of the grid are in no report"):
        merge_reports([("a.json", report(results()[:3]))])


def test_nothing_to_merge_is_refused() -> None:
    with pytest.raises(MergeError):
        merge_reports([])
