"""``mysql-chaos repro``: show the exact exception of every fault and of each extra."""

from __future__ import annotations

import time

import click

from chaos.drivers import DEFAULT, DRIVERS
from chaos.drivers import driver as driver_named
from chaos.faults import FAULTS
from chaos.repro import entries, select
from chaos.repro.runner import run_reproductions
from chaos.runner.environment import Backend

#: The gate's codes (chaos/verdicts/gate.py ExitCode), spelled here so that ``repro`` does not
#: load the verdicts and, behind them, the checker, the workload and the strategies.
EXIT_SKIPPED = 3
EXIT_ERRORED = 4


@click.command()
@click.option(
    "--variant",
    "variants",
    multiple=True,
    metavar="NAME",
    help="Run only this fault or extra (repeatable). Default: all, the seed's first.",
)
@click.option(
    "--driver",
    "driver_name",
    default=DEFAULT,
    show_default=True,
    metavar="NAME",
    help=f"The client's driver: {', '.join(DRIVERS.names())}.",
)
@click.option("--list", "list_only", is_flag=True, help="List the faults and extras and exit.")
@click.option(
    "--allow-skip",
    is_flag=True,
    help="Exit 0 even when something was skipped (default: exit 3); skips are still printed.",
)
@click.option(
    "--jobs",
    default=4,
    show_default=True,
    type=click.IntRange(min=1),
    help="Run this many at once.",
)
@click.option(
    "--server",
    type=click.Choice(["local", "mysql"]),
    default="local",
    show_default=True,
    help="The disposable server: local (mariadbd on PATH) or mysql (Oracle MySQL from the root "
    "filesystem `mysql-chaos server install mysql` makes; the extras then skip).",
)
@click.pass_context
def repro(
    ctx: click.Context,
    variants: tuple[str, ...],
    driver_name: str,
    list_only: bool,
    allow_skip: bool,
    jobs: int,
    server: str,
) -> None:
    """Reproduce every fault of the catalogue, then the extras, and print each exact exception.

    Each fault runs through the matrix's own Fault class and environment against one plain
    connection of --driver (PyMySQL by default). Exit codes: 0 every one ran, 2 bad input (also
    a driver not installed), 3 something was skipped (see --allow-skip), 4 a reproduction
    errored (its environment or fault raised, or it gave no error or another one than the
    fault's `produces`).
    """
    if list_only:
        for entry in entries():
            click.echo(f"{entry.name:24} {entry.kind:6} {entry.event}")
        return
    driver = driver_named(driver_name)
    driver.load()  # one line naming the extra, before anything starts
    names = select(variants)
    started = time.monotonic()
    skipped: list[str] = []
    errored: list[str] = []
    backend = Backend(server_binary=None if server == "local" else server)
    flavour = backend.flavour()  # whose `produces` each fault's exception must be
    for result in run_reproductions(names, jobs=jobs, backend=backend, driver=driver):
        click.secho(f"== {result.name}", bold=True)
        click.echo(f"   event:     {result.event}")
        click.echo(f"   injected:  {result.injection}")
        if driver.name != DEFAULT:
            click.echo(f"   driver:    {driver.summary}")
        if result.skipped:
            skipped.append(result.name)
            click.secho(f"   skipped:   {result.skipped}", fg="yellow")
        elif result.failure:
            errored.append(result.name)
            click.secho(f"   error:     {result.failure}", fg="magenta")
        else:
            click.secho(f"   exception: {result.error!r}", fg="red")
            fault = FAULTS.get(result.name) if result.name in FAULTS else None
            produces = fault.produces_on(flavour) if fault else ""
            # A fault's `produces` is what PyMySQL raises; other drivers word it their own way.
            if driver.name == DEFAULT and produces and repr(result.error) != produces:
                errored.append(result.name)
                click.secho(f"   error:     the fault's produces says {produces}", fg="magenta")
        click.echo(f"   took:      {result.seconds:.2f} s")
    click.echo(f"\n{len(names)} reproduction(s) in {time.monotonic() - started:.1f} s")
    if errored:
        click.echo(f"errored: {', '.join(errored)}: exit {EXIT_ERRORED}")
        ctx.exit(EXIT_ERRORED)
    if skipped:
        if allow_skip:
            click.echo(f"skipped: {', '.join(skipped)} (allowed by --allow-skip)")
        else:
            click.echo(f"skipped: {', '.join(skipped)}: exit {EXIT_SKIPPED}")
            ctx.exit(EXIT_SKIPPED)
