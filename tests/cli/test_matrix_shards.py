"""``matrix --shard K/N`` halves, merged, give the verdicts of one whole run."""

from __future__ import annotations

import json
from pathlib import Path

from .support import run_cli

CELLS = ["--strategy", "naive-global", "--strategy", "safe"]
CELLS += ["--fault", "kill-connection", "--fault", "mid-transaction-drop"]


def _verdicts(path: Path) -> dict[tuple[str, str], str]:
    return {
        (c["strategy"], c["fault"]): c["verdict"] for c in json.loads(path.read_text())["cells"]
    }


def test_two_shards_merged_equal_one_run(tmp_path: Path) -> None:
    whole, first, second, merged = (tmp_path / f"{n}.json" for n in ("whole", "1", "2", "merged"))
    assert run_cli("matrix", *CELLS, "--json", str(whole)).returncode == 0
    for index, path in (("1", first), ("2", second)):
        shard = run_cli("matrix", *CELLS, "--shard", f"{index}/2", "--json", str(path))
        # Each shard's gate judges only its own cells.
        assert shard.returncode == 0, shard.stdout + shard.stderr
        assert f"shard {index}/2: 2 cells" in shard.stdout
        assert len(_verdicts(path)) == 2
    result = run_cli("report", "merge", str(first), str(second), "--json", str(merged))
    assert result.returncode == 0, result.stdout + result.stderr
    assert _verdicts(merged) == _verdicts(whole)
    assert set(_verdicts(first)).isdisjoint(_verdicts(second))


def test_a_malformed_shard_is_one_line_and_exit_two() -> None:
    result = run_cli("matrix", "--shard", "2/1")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "--shard '2/1'" in result.stderr
