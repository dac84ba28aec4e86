"""Entry point of the ``mysql-chaos`` console script."""

from __future__ import annotations

import logging
import sys

import click

from chaos.errors import ChaosError
from chaos.sweep import sweep_once


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="Log more (-v info, -vv debug).")
@click.pass_context
def cli(ctx: click.Context, verbose: int) -> None:
    """Fault-injection resilience suite for MySQL clients."""
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if ctx.invoked_subcommand != "clean":  # clean sweeps itself, and says what it removed
        sweep_once()


def main() -> None:
    """Run the CLI; a ChaosError becomes one line on stderr and its exit code."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except ChaosError as e:
        click.echo(f"mysql-chaos: {e}", err=True)
        sys.exit(e.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)


from chaos.cli.repro import repro  # noqa: E402

cli.add_command(repro)

from chaos.cli.matrix import check, matrix  # noqa: E402

cli.add_command(matrix)
cli.add_command(check)
from chaos.cli.toxiproxy_server import toxiproxy_server  # noqa: E402

cli.add_command(toxiproxy_server)
from chaos.cli.bench import bench  # noqa: E402

cli.add_command(bench)
from chaos.cli.clean import clean  # noqa: E402

cli.add_command(clean)
