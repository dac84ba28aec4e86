"""``mysql-chaos repro``: show each variant of "server has gone away", exactly."""

from __future__ import annotations

import time

import click

from chaos.repro import VARIANTS, run_variant


@click.command()
@click.option(
    "--variant",
    "variants",
    multiple=True,
    metavar="NAME",
    help="Run only this variant (repeatable). Default: all, the seed's first.",
)
@click.option("--list", "list_only", is_flag=True, help="List the variants and exit.")
def repro(variants: tuple[str, ...], list_only: bool) -> None:
    """Reproduce the variants of "MySQL server has gone away" and print each exact exception."""
    if list_only:
        for name, v in VARIANTS.items():
            click.echo(f"{name:22} {v.event}")
        return
    names = VARIANTS.select(list(variants))
    started = time.monotonic()
    for name in names:
        result = run_variant(VARIANTS.get(name))
        click.secho(f"== {name}", bold=True)
        click.echo(f"   event:     {result.variant.event}")
        click.echo(f"   injected:  {result.variant.injection}")
        if result.skipped:
            click.secho(f"   skipped:   {result.skipped}", fg="yellow")
        else:
            click.secho(f"   exception: {result.error!r}", fg="red")
        click.echo(f"   took:      {result.seconds:.2f} s")
    click.echo(f"\n{len(names)} variant(s) in {time.monotonic() - started:.1f} s")
