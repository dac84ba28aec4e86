"""``--shard K/N``: every cell in exactly one shard, the same split on every job."""

from __future__ import annotations

import pytest

from chaos.errors import UsageError
from chaos.runner.shard import parse_shard, select_shard

CELLS = [f"cell-{i}" for i in range(23)]


@pytest.mark.parametrize("total", [1, 2, 3, 5, 23, 40])
def test_the_shards_are_disjoint_and_together_hold_every_cell_once(total: int) -> None:
    shards = [select_shard(CELLS, k, total) for k in range(1, total + 1)]
    flat = [cell for shard in shards for cell in shard]
    assert sorted(flat) == sorted(CELLS)
    assert len(flat) == len(set(flat))


@pytest.mark.parametrize("total", [2, 3, 5, 7])
def test_shard_sizes_differ_by_at_most_one(total: int) -> None:
    sizes = [len(select_shard(CELLS, k, total)) for k in range(1, total + 1)]
    assert max(sizes) - min(sizes) <= 1


def test_a_shard_keeps_the_cells_in_their_original_order() -> None:
    assert select_shard(CELLS, 2, 4) == [
        "cell-1",
        "cell-5",
        "cell-9",
        "cell-13",
        "cell-17",
        "cell-21",
    ]


def test_the_split_depends_only_on_the_list_so_every_job_computes_the_same() -> None:
    assert select_shard(tuple(CELLS), 3, 5) == select_shard(list(CELLS), 3, 5)


def test_more_shards_than_cells_leaves_the_extra_shards_empty() -> None:
    assert select_shard(["a", "b"], 3, 4) == []


@pytest.mark.parametrize(
    ("text", "expected"), [("1/2", (1, 2)), ("3/3", (3, 3)), (" 1/1 ", (1, 1))]
)
def test_parse_shard_reads_k_of_n(text: str, expected: tuple[int, int]) -> None:
    assert parse_shard(text) == expected


@pytest.mark.parametrize("text", ["", "1", "1/", "/2", "a/b", "1/2/3", "-1/2", "0/2", "3/2", "1/0"])
def test_parse_shard_refuses_bad_input_with_one_line(text: str) -> None:
    with pytest.raises(UsageError) as raised:
        parse_shard(text)
    assert "\n" not in str(raised.value)
    assert "--shard" in str(raised.value)


@pytest.mark.parametrize(("shard", "total"), [(0, 2), (3, 2), (1, 0)])
def test_select_shard_refuses_an_impossible_shard(shard: int, total: int) -> None:
    with pytest.raises(UsageError):
        select_shard(CELLS, shard, total)
