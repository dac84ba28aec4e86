"""Every registered command, at every level, answers --help."""

from __future__ import annotations

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


def test_the_commands_the_quickstart_offers_are_registered() -> None:
    for name in ("matrix", "check", "repro", "up", "down", "bench", "toxiproxy-server"):
        assert name in cli.commands


@pytest.mark.parametrize("path", _commands(cli), ids=" ".join)
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: cli {' '.join(path)}")
