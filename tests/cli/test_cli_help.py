"""Every registered command, at every level, answers --help."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from chaos.cli.main import cli


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in sorted(group.commands.items()):
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found.extend(_commands(command, (*prefix, name)))
    return found


def test_every_command_the_quickstart_dispatches_is_registered() -> None:
    quickstart = (Path(__file__).parents[2] / "quickstart").read_text()
    line = re.search(r"^\s*((?:[a-z-]+ \| )+[a-z-]+)\)\n\s*exec .*mysql-chaos", quickstart, re.M)
    assert line is not None
    dispatched = line.group(1).split(" | ")
    assert {"up", "down", "matrix", "check"} <= set(dispatched)
    assert [name for name in dispatched if name not in cli.commands] == []


@pytest.mark.parametrize("path", _commands(cli), ids=" ".join)
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: cli {' '.join(path)}")
