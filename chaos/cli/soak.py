"""``mysql-chaos soak``: faults of the catalogue at random steps of a live workload, from one
seed; a failing schedule is shrunk and printed as a command that replays it."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

import click

from chaos.cli.run_options import backend_for, where_options
from chaos.errors import UsageError

if TYPE_CHECKING:
    from chaos.runner.soak import SoakRun
    from chaos.soak import Schedule
    from chaos.verdicts.cell_result import CellResult

#: Exit codes (README, "Exit codes"): a violation 1, nothing struck or a skip 3, an error 4.
_NOTHING_TESTED = 3
_ERROR = 4


@click.command()
@click.argument("strategy", metavar="NAME|MODULE:FACTORY")
@click.option(
    "--seed", metavar="N", help="The seed of the schedule (default: a random one, printed)."
)
@click.option(
    "--faults",
    "count",
    type=click.IntRange(1, 64),
    default=4,
    show_default=True,
    help="How many faults the schedule holds.",
)
@click.option(
    "--fault",
    "pool",
    multiple=True,
    metavar="NAME",
    help="Repeatable: draw only from these faults (default: every fault that shares one world "
    "and is not slow, kernel faults aside). Kernel and proxy faults never share a schedule.",
)
@click.option(
    "--kernel",
    is_flag=True,
    help="Draw from the kernel faults (nftables in a network namespace; CAP_NET_ADMIN) and the "
    "server faults that share their world, instead of the proxy faults.",
)
@click.option(
    "--statement-chance",
    type=click.FloatRange(0, 1),
    default=0.0,
    metavar="P",
    help="Also cut the link after each write statement of a transfer with probability P, "
    "over the whole schedule; the tosses are seeded too, so a run replays (default 0: none).",
)
@click.option(
    "--schedule",
    "schedule_spec",
    metavar="FAULT@STEP+LENGTH,...",
    help="Run this schedule (as a soak prints it) instead of drawing one from the seed.",
)
@click.option(
    "--duration",
    type=click.FloatRange(1, None),
    default=600.0,
    show_default=True,
    help="Seconds the soak may take, shrinking included; it stops shrinking when they are up.",
)
@click.option(
    "--shrink-attempts",
    type=click.IntRange(0, None),
    default=20,
    show_default=True,
    help="Runs the shrinker may make (0: no shrinking).",
)
@where_options
def soak(
    strategy: str,
    seed: str | None,
    count: int,
    pool: tuple[str, ...],
    statement_chance: float,
    kernel: bool,
    schedule_spec: str | None,
    duration: float,
    shrink_attempts: int,
    server_url: str | None,
) -> None:
    """Strike a live workload with faults at random steps, as one seed decides; on a violation,
    shrink the schedule to the smallest that still fails and print the command that replays it.

    Exit codes: 0 every invariant held, 1 a violation, 2 bad input, 3 nothing struck or the
    schedule cannot run here, 4 an error, 130 interrupted.
    """
    from chaos.runner.soak import run_soak
    from chaos.soak import (
        generate_schedule,
        parse_schedule,
        parse_seed,
        random_seed,
        soak_fault_names,
    )
    from chaos.strategy.registry import strategy_factory

    factory = strategy_factory(strategy)
    if schedule_spec is not None:
        if seed is not None or kernel:
            given = "--seed" if seed is not None else "--kernel"
            raise UsageError(f"--schedule and {given} exclude each other")
        if statement_chance:
            raise UsageError(
                "--schedule and --statement-chance exclude each other "
                "(a schedule names its chance: chance:P:SEED@STEP+LENGTH)"
            )
        schedule = parse_schedule(schedule_spec)
        replay = ["--schedule", schedule.spec()]
        click.echo(f"soak: {strategy}, the schedule given")
    else:
        if kernel and statement_chance:
            # The chance cuts links at the proxy, which a kernel world has none of.
            raise UsageError("--kernel and --statement-chance exclude each other")
        names = soak_fault_names(pool, kernel=kernel)
        number = parse_seed(seed) if seed is not None else random_seed()
        schedule = generate_schedule(number, names, count, statement_chance)
        replay = ["--seed", str(number), "--faults", str(count)]
        if statement_chance:
            replay += ["--statement-chance", f"{statement_chance:g}"]
        replay += [arg for name in pool for arg in ("--fault", name)]
        replay += ["--kernel"] if kernel else []
        click.echo(f"soak: {strategy}, seed {number}")
    backend = backend_for(server_url, False)
    where = backend.command_args()
    _show_schedule(schedule)
    click.echo(f"replay: {_command(strategy, [*replay, *where])}")

    def on_run(run: SoakRun, role: str) -> None:
        result = run.result
        verdict = f"error: {result.error}" if result.error else result.skipped or result.verdict
        click.echo(f"  {role:<6} {run.schedule.spec()}: {verdict} ({result.seconds:.1f} s)")
        if role == "first" and (struck := _what_struck(result)) is not None:
            click.echo(f"         {struck}")

    outcome = run_soak(
        strategy,
        factory,
        schedule,
        backend=backend,
        shrink_attempts=shrink_attempts,
        duration=duration,
        on_run=on_run,
    )
    first = outcome.first.result
    if first.error is not None:
        click.secho(f"the schedule could not run: {first.error}", fg="red")
        click.get_current_context().exit(_ERROR)
    if first.skipped is not None:
        click.secho(f"the schedule cannot run here: {first.skipped}", fg="yellow")
        click.get_current_context().exit(_NOTHING_TESTED)
    if not outcome.failed:
        if first.check is not None and not first.check.passed:
            click.secho(
                "no fault of the schedule struck the strategy: nothing was tested", fg="yellow"
            )
            click.get_current_context().exit(_NOTHING_TESTED)
        click.secho(
            f"{strategy}: every invariant held over {len(schedule)} "
            f"fault{'s' if len(schedule) != 1 else ''} "
            f"({outcome.seconds:.1f} s)",
            fg="green",
        )
        return
    smallest = outcome.smallest or outcome.first
    if outcome.shrunk is not None:
        bound = " (stopped by --shrink-attempts or --duration)" if outcome.shrunk.exhausted else ""
        runs, faults = outcome.shrunk.attempts, len(smallest.schedule)
        click.echo(
            f"shrunk in {runs} run{'s' if runs != 1 else ''}{bound} to {faults} "
            f"fault{'s' if faults != 1 else ''}:"
        )
        _show_schedule(smallest.schedule)
    for violation in smallest.result.check.violations if smallest.result.check else ():
        click.echo(f"  {violation.kind}: {violation.detail}")
    click.echo(
        "replay the smallest: "
        + _command(strategy, ["--schedule", smallest.schedule.spec(), *where])
    )
    click.secho(f"{strategy}: {smallest.result.verdict} under this schedule", fg="red")
    click.get_current_context().exit(1)


def _what_struck(result: CellResult) -> str | None:
    """Each fault's own strikes, as its inject and heal said them, then the total."""
    timeline, strike = result.timeline, result.strike
    if timeline is None or strike is None:
        return None
    # Only what said something of its strikes ("added on the upstream" says nothing).
    effects = (timeline.inject_effect, timeline.heal_effect)
    details = "; ".join(e.detail for e in effects if e and e.struck is not None and e.detail)
    total = "strikes not counted" if strike.count is None else f"{strike.count} in all"
    return f"what struck: {details} ({total})"


def _show_schedule(schedule: Schedule) -> None:
    click.echo(f"schedule: {schedule.spec()}")
    for line in schedule.timeline():
        click.echo(f"  {line}")


def _command(strategy: str, args: list[str]) -> str:
    return shlex.join(["mysql-chaos", "soak", strategy, *args])
