"""``mysql-chaos clean``: remove what runs killed outright (SIGKILL, a crash) left behind."""

from __future__ import annotations

import click

from chaos.sweep import sweep


@click.command()
def clean() -> None:
    """Remove what dead runs left: datadirs and temp dirs, their servers, namespaces.

    Everything the suite makes names its owner's PID and start time; only what belongs to a
    process that no longer runs is removed, so this is safe while other runs are going. Every
    mysql-chaos command does the same sweep quietly when it starts.
    """
    removed = sweep()
    for line in removed:
        click.echo(f"removed {line}")
    click.echo(f"{len(removed)} thing(s) removed" if removed else "nothing to remove")
