"""``python -m chaos.toxiproxy``: the toxiproxy-server command on its own.

Used by ``EmbeddedToxiproxy(mode="process")``; it imports only this command, not the whole CLI,
so the server process starts quickly.
"""

from __future__ import annotations

import logging
import sys

import click

from chaos.errors import ChaosError
from chaos.toxiproxy.command import toxiproxy_server


def main() -> None:
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s"
    )
    try:
        toxiproxy_server.main(prog_name="python -m chaos.toxiproxy", standalone_mode=False)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except (click.exceptions.Abort, KeyboardInterrupt):
        sys.exit(130)
    except ChaosError as e:
        click.echo(f"mysql-chaos: {e}", err=True)
        sys.exit(e.exit_code)


if __name__ == "__main__":
    main()
