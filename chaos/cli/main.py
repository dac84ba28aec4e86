"""Entry point of the ``mysql-chaos`` console script."""

from __future__ import annotations

import logging
import sys
import traceback

import click

from chaos.errors import ChaosError
from chaos.sweep import sweep_once


class _OwnRecordsOnly(logging.Filter):
    """Pass mysql-chaos's own records; drop the libraries'.

    Faults provoke errors on purpose, and the libraries under test log them loudly (SQLAlchemy's
    pool logs a traceback for every connection it fails to reset, pymysql and DBUtils warn):
    hundreds of lines of expected noise on a passing run. ``-v`` shows them.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return record.name == "chaos" or record.name.startswith("chaos.")


_handler: logging.Handler | None = None


def configure_logging(verbose: int) -> None:
    """One stderr handler: mysql-chaos's warnings by default, everything from ``-v`` up."""
    global _handler
    root = logging.getLogger()
    if _handler is not None:
        root.removeHandler(_handler)
    _handler = logging.StreamHandler()
    _handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    if verbose == 0:
        _handler.addFilter(_OwnRecordsOnly())
    root.addHandler(_handler)
    root.setLevel(logging.WARNING - 10 * min(verbose, 2))
    logging.captureWarnings(True)  # warnings.warn() from libraries become filtered records


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="Log more (-v info and library logs, -vv debug).")
@click.pass_context
def cli(ctx: click.Context, verbose: int) -> None:
    """Fault-injection resilience suite for MySQL clients."""
    configure_logging(verbose)
    if ctx.invoked_subcommand != "clean":  # clean sweeps itself, and says what it removed
        sweep_once()


def main() -> None:
    """Run the CLI; a ChaosError becomes one line on stderr and its exit code, a bug exit 4."""
    try:
        # Without standalone mode click returns ctx.exit()'s code instead of exiting with it.
        code = cli.main(standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
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
    except Exception:
        # A bug keeps its traceback, but exits as an error: Python's own 1 is a gate's
        # "verdict differs".
        traceback.print_exc()
        sys.exit(4)


from chaos.cli.repro import repro  # noqa: E402

cli.add_command(repro)

from chaos.cli.check import check  # noqa: E402
from chaos.cli.matrix import matrix  # noqa: E402

cli.add_command(matrix)
cli.add_command(check)
from chaos.cli.app_mode import check_app  # noqa: E402

cli.add_command(check_app)
from chaos.toxiproxy.command import toxiproxy_server  # noqa: E402

cli.add_command(toxiproxy_server)
from chaos.cli.bench import bench  # noqa: E402

cli.add_command(bench)
from chaos.cli.server import server  # noqa: E402

cli.add_command(server)
from chaos.cli.clean import clean  # noqa: E402

cli.add_command(clean)
from chaos.cli.up import down, up  # noqa: E402

cli.add_command(up)
cli.add_command(down)
from chaos.cli.report import report  # noqa: E402

cli.add_command(report)
from chaos.cli.soak import soak  # noqa: E402

cli.add_command(soak)
