"""``mysql-chaos clean``: remove what runs killed outright (SIGKILL, a crash) left behind."""

from __future__ import annotations

import contextlib

import click

from chaos.cli.up_state import running_names
from chaos.errors import UntrustedPathError
from chaos.sweep import sweep


@click.command()
def clean() -> None:
    """Remove what dead runs left: datadirs and temp dirs, their servers, namespaces.

    Everything the suite makes names its owner's PID and start time; only what belongs to a
    process that no longer runs is removed, so this is safe while other runs are going. Every
    mysql-chaos command does the same sweep quietly when it starts.
    """
    removed = sweep()
    # A killed ``up`` leaves its record and the directory that holds it: asking which ups run
    # drops the dead ones' (a directory that is not ours is left for up and down to refuse).
    with contextlib.suppress(UntrustedPathError):
        running_names()
    for line in removed:
        click.echo(f"removed {line}")
    click.echo(f"{len(removed)} thing(s) removed" if removed else "nothing to remove")
