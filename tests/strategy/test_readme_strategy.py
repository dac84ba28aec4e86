"""The README's "Write your own strategy" example passes ``mysql-chaos check`` as printed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from chaos.faults.base import select_faults
from chaos.netns import net_admin_missing_reason

from .readme_strategy import readme_strategy, write_readme_strategy

CLI = str(Path(sys.executable).with_name("mysql-chaos"))


def test_the_example_is_a_whole_module_using_the_documented_contract() -> None:
    example = readme_strategy()
    compile(example, "my_strategy.py", "exec")
    for name in ("DefiniteFailure", "was_applied", "config.connection", "def close"):
        assert name in example


def test_the_readme_strategy_holds_every_invariant_under_every_fault(tmp_path: Path) -> None:
    # The whole catalogue: 19 cells take about 7 s here, most of it the slowest fault's cell.
    spec = write_readme_strategy(tmp_path)
    histories = tmp_path / "histories"
    skip = ["--allow-skip"] if net_admin_missing_reason() is not None else []
    run = subprocess.run(
        [CLI, "check", spec, "--histories", str(histories), *skip],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "every invariant held" in run.stdout
    # One history per fault, named without the ':' of module:factory.
    names = {path.name for path in histories.iterdir()}
    # The whole catalogue a plain run covers (replica-lag-read runs only when named).
    expected = {f"my_strategy_PerThreadStrategy__{fault}.jsonl" for fault in select_faults([])}
    assert names == expected if not skip else names <= expected
