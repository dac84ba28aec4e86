"""``mysql-chaos server install mysql``: make a server flavour that is not a Debian package here."""

from __future__ import annotations

import time

import click


@click.group()
def server() -> None:
    """Server flavours beside the default (mariadbd on PATH)."""


@server.command()
@click.argument("flavour", type=click.Choice(["mysql"]))
@click.option(
    "--rebuild", is_flag=True, help="Make it anew (Debian sid moves on) and swap it in atomically."
)
def install(flavour: str, rebuild: bool) -> None:
    """Make the root filesystem FLAVOUR runs from (once; later runs reuse it).

    mysql: Oracle MySQL from Debian sid's mysql-server-core, made with mmdebstrap (about 20 s and
    360 MB) under ~/.cache/mysql-chaos (or $XDG_CACHE_HOME/mysql-chaos), from the first Debian
    mirror in this machine's apt sources ($MYSQL_CHAOS_DEBIAN_MIRROR overrides it). Then pick it
    per run with `--server mysql` (matrix, check, repro, up) or `--mysql-chaos-server mysql`.
    """
    from chaos.servers.rootfs import install as install_rootfs
    from chaos.servers.rootfs import rootfs_dir

    started = time.monotonic()
    binary = install_rootfs(rebuild=rebuild)
    click.echo(
        f"{flavour}: MySQL {binary.version} in {rootfs_dir()} "
        f"({time.monotonic() - started:.1f} s); use it with --server {flavour}"
    )
