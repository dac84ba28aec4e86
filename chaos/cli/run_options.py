"""What ``matrix``, ``check`` and the app commands share: where cells run, where histories go,
and how many cells run at once."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from chaos.runner.environment import Backend
from chaos.runner.timing import DEFAULT_JOBS  # noqa: F401 - the options' default
from chaos.settings import ConnectionSettings

if TYPE_CHECKING:
    from chaos.strategy.expectations import OwnExpectations

# An app cell also runs a WSGI server and paced HTTP clients (about 1.3 CPU seconds per cell):
# 3 per core keep 2 cores busy without starving the load of the cells already running.
DEFAULT_APP_JOBS = max(2, 3 * (os.cpu_count() or 1))


DOCKER_IMAGE_KEY = "mysql_chaos_docker_image"
SERVER_BINARY_KEY = "mysql_chaos_server_binary"


def backend_for(server_url: str | None, allow_global_changes: bool) -> Backend:
    meta = click.get_current_context().meta
    docker_image = meta.get(DOCKER_IMAGE_KEY)
    server_binary = meta.get(SERVER_BINARY_KEY)
    if (docker_image or server_binary) and server_url:
        raise click.UsageError("--server and --server-url exclude each other")
    if server_url:
        ConnectionSettings.from_url(server_url)  # a malformed URL is exit 2 before any cell
    if docker_image:
        from chaos.servers.docker import engine_client

        # Fail once, clearly, rather than skip every cell for want of an engine.
        engine_client().close()
    return Backend(
        external_url=server_url,
        server_binary=server_binary,
        allow_global_changes=allow_global_changes,
        docker_image=docker_image,
    )


def server_spec(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    """``--server`` kept out of the commands' signatures: _backend reads it from the context."""
    if value is None or value == "local":
        return
    if value == "mysql":
        ctx.meta[SERVER_BINARY_KEY] = value  # the flavour find_server_binary knows by name
        return
    kind, _, image = value.partition(":")
    if kind != "docker":
        raise click.BadParameter(f"{value!r}: expected local, mysql, docker or docker:IMAGE")
    ctx.meta[DOCKER_IMAGE_KEY] = image or "local"


SERVER_HELP = (
    "Where disposable servers come from: local (mariadbd on PATH, the default), mysql (Oracle "
    "MySQL from the root filesystem `mysql-chaos server install mysql` makes), docker:local "
    "(MariaDB built here from Debian's packages), docker:local-mysql (that MySQL in a "
    "container) or docker:IMAGE."
)


def where_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Where the disposable (or an external) server comes from: ``--server``, ``--server-url``."""
    for option in reversed(
        [
            click.option(
                "--server-url",
                metavar="URL",
                help="Use this external server (mysql://user:pw@host:port/db) instead of a "
                "disposable one; faults that need process control or a namespace then skip.",
            ),
            click.option(
                "--server",
                metavar="local|mysql|docker:IMAGE",
                expose_value=False,
                callback=server_spec,
                help=SERVER_HELP,
            ),
        ]
    ):
        command = option(command)
    return command


def server_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options ``matrix`` and ``check`` share: where to run, and what the gate allows."""
    for option in reversed(
        [
            click.option(
                "--allow-global-changes",
                is_flag=True,
                help="Let faults change GLOBAL variables (wait_timeout) of the --server-url "
                "server; they are restored afterwards. Without it those faults skip there.",
            ),
            click.option(
                "--allow-skip",
                is_flag=True,
                help="Skipped cells do not fail the gate (exit 3); they are still listed.",
            ),
        ]
    ):
        command = option(command)
    return where_options(command)


def expected_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--expected FILE``: the user's own expected verdicts, as ``matrix`` and ``check`` read
    them."""
    return click.option(
        "--expected",
        "expected_file",
        metavar="FILE",
        help="Your own expected verdicts (TOML, as --record-expected FILE writes it), merged "
        "over the registered ones: a cell of your strategy recorded there is held to it; one "
        "recorded nowhere is held to every invariant.",
    )(command)


def read_expected(path: str | None) -> OwnExpectations | None:
    """``--expected FILE`` read and checked before any cell runs (one line when it is bad)."""
    if path is None:
        return None
    from chaos.strategy.own_expectations import read_own_expectations

    return read_own_expectations(path)


def record_target(path: str) -> Path:
    """``--record-expected FILE`` checked before any cell runs: outside the installed package,
    writable, and a valid expectations file when it exists."""
    from chaos.reports.paths import check_report_path
    from chaos.strategy.own_expectations import RECORD_OPTION, check_record_target

    check_record_target(path)
    return check_report_path(RECORD_OPTION, path)


def show_recorded(path: Path, count: int, unexplained: list[tuple[str, str]]) -> None:
    click.echo(f"recorded {count} verdicts of your strategies in {path}")
    if unexplained:
        cells = ", ".join(f"{strategy} x {fault}" for strategy, fault in unexplained)
        click.echo(f"say in {path} why these are expected to violate an invariant: {cells}")


def history_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Where ``matrix`` and ``check`` keep histories, and the user strategy's settings."""
    for option in reversed(
        [
            click.option(
                "--histories",
                type=click.Path(file_okay=False),
                help="Keep each cell's history (JSON lines) in this directory.",
            ),
            click.option(
                "--option",
                "options",
                multiple=True,
                metavar="KEY=VALUE",
                help="Repeatable: put KEY into StrategyConfig.extra of a module:factory "
                "strategy (the value is read as JSON when it is JSON: 16, true, 0.5).",
            ),
        ]
    ):
        command = option(command)
    return command


def elle_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--elle DIR``: each cell's history also as Jepsen's Elle reads it (EDN)."""
    return click.option(
        "--elle",
        "elle_dir",
        type=click.Path(file_okay=False),
        metavar="DIR",
        help="Also write each cell's history as an Elle list-append history (EDN, one file per "
        "cell) into DIR, for elle-cli --model list-append (see the README).",
    )(command)


def workload_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--workload``: the bank (default) or Elle's list-append."""
    return click.option(
        "--workload",
        type=click.Choice(["bank", "list-append"]),
        default="bank",
        show_default=True,
        help="bank: transfers between accounts (the default); list-append: transactions of "
        "appends to and reads of lists, judged by the list-append checks.",
    )(command)


def export_elle(results: Any, directory: Path) -> None:
    """Write the Elle history of every cell that saved one; say how many."""
    from chaos.workload.elle import export_history_file

    written = [
        export_history_file(result.history_file, directory)
        for result in results
        if result.history_file is not None
    ]
    click.echo(f"wrote {len(written)} Elle histories (EDN) into {directory}")
