"""The plugin's options, read and checked once in ``pytest_configure`` and kept in the stash.

Bad input (an unknown fault or strategy, a malformed URL or ``--shard``, a bad expectations
file) is one line through :class:`pytest.UsageError`, before any test runs or any xdist worker
starts.
"""

from __future__ import annotations

import functools
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from chaos.errors import ChaosError
from chaos.pytest_plugin import server_settings
from chaos.runner.shard import parse_shard

if TYPE_CHECKING:
    from chaos.runner.environment import Backend
    from chaos.strategy.expectations import OwnExpectations

GROUP = "mysql-chaos"
EXPECTED_INI = "mysql_chaos_expected"


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup(GROUP, "mysql-chaos: fault injection for MySQL clients")
    group.addoption(
        "--mysql-chaos-server-url",
        metavar="URL",
        help="Use this server (mysql://user:pw@host:port/db) instead of a disposable one; "
        "faults that need to control its process then skip.",
    )
    group.addoption(
        "--mysql-chaos-server",
        metavar="local|mysql|docker:IMAGE",
        default="local",
        help="Disposable servers: local (mariadbd on PATH, default), mysql (Oracle MySQL from "
        "the root filesystem `mysql-chaos server install mysql` makes) or containers, "
        "docker:local (MariaDB built from Debian's packages), docker:local-mysql (that MySQL) "
        "or docker:IMAGE.",
    )
    group.addoption(
        "--mysql-chaos-allow-global-changes",
        action="store_true",
        help="Let faults change GLOBAL variables of the --mysql-chaos-server-url server "
        "(restored afterwards); without it those faults skip there.",
    )
    group.addoption(
        "--toxiproxy-url",
        metavar="URL",
        help="A real Toxiproxy (default: $TOXIPROXY_URL, else the embedded one, one per "
        "process); faults that need the protocol toxics skip on a real one.",
    )
    group.addoption(
        "--mysql-chaos-fault",
        action="append",
        default=[],
        metavar="NAME",
        help="Only these faults (repeatable): for the mysql_chaos_fault fixture and the matrix.",
    )
    group.addoption(
        "--mysql-chaos-matrix",
        action="store_true",
        help="Run the strategy x fault matrix cells as the test items (instead of test files).",
    )
    group.addoption(
        "--mysql-chaos-strategy",
        action="append",
        default=[],
        metavar="NAME",
        help="Matrix: only these strategies (repeatable; a registered name or module:factory).",
    )
    group.addoption(
        "--shard",
        "--mysql-chaos-shard",
        dest="mysql_chaos_shard",
        metavar="K/N",
        help="Run only shard K of N of the collected items (the same split in every CI job).",
    )
    server_settings.add_ini(parser)
    group.addoption(
        "--mysql-chaos-expected",
        metavar="FILE",
        help=f"Matrix: your own expected verdicts (as `mysql-chaos matrix --expected`; default: "
        f"the {EXPECTED_INI} ini value). Your strategies' cells recorded nowhere are held to "
        "every invariant.",
    )
    parser.addini(
        EXPECTED_INI,
        "Matrix: your own expected verdicts file, relative to the rootdir "
        "(as `mysql-chaos matrix --expected`).",
    )
    group.addoption(
        "--mysql-chaos-json",
        metavar="FILE",
        help="Matrix: write this run's (or shard's) report as `mysql-chaos matrix --json` does.",
    )
    group.addoption(
        "--mysql-chaos-seed",
        metavar="N",
        help="The seed of the mysql_chaos_soak fixture's fault schedules (default: a random "
        "one, printed when a soak fails): a failing soak replays with the seed it printed.",
    )
    group.addoption(
        "--mysql-chaos-jobs",
        type=int,
        metavar="N",
        help="Matrix: cells run at once, ahead of the items that report them (default: as "
        "`mysql-chaos matrix --jobs`, 6 per CPU, at least 4; under xdist split between the "
        "workers; 1: one cell at a time, in the item).",
    )


@dataclass(frozen=True)
class PluginOptions:
    server_url: str | None = field(repr=False)  # may hold a password
    docker_image: str | None
    server_binary: str | None  # a flavour by name (mysql); None: mariadbd/mysqld on PATH
    allow_global_changes: bool
    toxiproxy_url: str | None
    faults: tuple[str, ...]  # empty: every fault
    matrix: bool
    strategies: tuple[str, ...]  # empty: every strategy
    shard: tuple[int, int] | None
    json_file: Path | None
    #: The user's own expected verdicts (matrix only), read and checked.
    own: OwnExpectations | None = None
    #: Extra options of every disposable local server (ini ``mysql_chaos_server_options``).
    server_options: tuple[str, ...] = ()
    #: Matrix cells run at once in this session (all its workers together).
    jobs: int = 1
    #: The soak fixture's seed (None: a random one per soak).
    seed: int | None = None

    @functools.cached_property
    def backend(self) -> Backend:
        """Where servers come from (imported on first use: most pytest runs never ask)."""
        from chaos.runner.environment import Backend

        return Backend(
            external_url=self.server_url,
            server_binary=self.server_binary,
            allow_global_changes=self.allow_global_changes,
            docker_image=self.docker_image,
            server_options=self.server_options,
        )

    @functools.cached_property
    def flavour(self) -> str:
        """The server flavour the cells run on, whose expected verdicts hold (asked once)."""
        return self.backend.flavour()


def read_options(config: pytest.Config) -> PluginOptions:
    """The options, checked; a :class:`pytest.UsageError` of one line when one is bad."""
    try:
        return _read(config)
    except ChaosError as e:
        raise pytest.UsageError(str(e)) from e


def _read(config: pytest.Config) -> PluginOptions:
    option = config.getoption
    url = option("mysql_chaos_server_url")
    server = option("mysql_chaos_server")
    server_binary = server if server == "mysql" else None
    docker_image = None if server_binary else _docker_image(server)
    if url:
        from chaos.settings import ConnectionSettings

        ConnectionSettings.from_url(url)
        if docker_image or server_binary:
            raise pytest.UsageError(
                f"--mysql-chaos-server {server_binary or 'docker:IMAGE'} and "
                "--mysql-chaos-server-url exclude each other"
            )
    faults = tuple(option("mysql_chaos_fault"))
    if faults:
        from chaos.faults import FAULTS

        FAULTS.select(list(faults))
    strategies = tuple(option("mysql_chaos_strategy"))
    matrix = bool(option("mysql_chaos_matrix"))
    json_file = option("mysql_chaos_json")
    expected = option("mysql_chaos_expected")
    if (strategies or json_file or expected) and not matrix:
        raise pytest.UsageError(
            "--mysql-chaos-strategy, --mysql-chaos-json and --mysql-chaos-expected go with "
            "--mysql-chaos-matrix"
        )
    own = None
    if matrix:
        if config.args_source is pytest.Config.ArgsSource.ARGS and config.args:
            raise pytest.UsageError(
                "--mysql-chaos-matrix collects the matrix cells, not test files: "
                f"drop {' '.join(config.args)}"
            )
        _importable_from_rootdir(config)
        _check_strategies(strategies)
        own = _own_expectations(config, expected)
    jobs = option("mysql_chaos_jobs")
    if jobs is not None and not matrix:
        raise pytest.UsageError("--mysql-chaos-jobs goes with --mysql-chaos-matrix")
    if jobs is not None and not 1 <= jobs <= 64:
        raise pytest.UsageError(f"--mysql-chaos-jobs {jobs}: expected 1 to 64, as --jobs")
    if jobs is None and matrix:
        from chaos.runner.timing import DEFAULT_JOBS

        jobs = DEFAULT_JOBS
    if json_file:
        from chaos.reports.paths import check_report_path

        json_file = check_report_path("--mysql-chaos-json", json_file)
    shard = option("mysql_chaos_shard")
    seed = option("mysql_chaos_seed")
    if seed is not None:
        from chaos.soak.seed import parse_seed

        seed = parse_seed(seed)
    backend_kind = "--mysql-chaos-server-url" if url else docker_image and "containers"
    server_options = server_settings.ini_server_options(config, backend_kind or None)
    toxiproxy_url = option("toxiproxy_url") or os.environ.get("TOXIPROXY_URL", "").strip()
    return PluginOptions(
        server_url=url or None,
        docker_image=docker_image,
        server_binary=server_binary,
        allow_global_changes=bool(option("mysql_chaos_allow_global_changes")),
        toxiproxy_url=toxiproxy_url or None,
        faults=faults,
        matrix=matrix,
        strategies=strategies,
        shard=parse_shard(shard) if shard is not None else None,
        json_file=json_file or None,
        own=own,
        server_options=server_options,
        jobs=jobs or 1,
        seed=seed,
    )


def _docker_image(spec: str) -> str | None:
    if spec == "local":
        return None
    kind, _, image = spec.partition(":")
    if kind != "docker":
        raise pytest.UsageError(
            f"--mysql-chaos-server {spec!r}: expected local, mysql, docker or docker:IMAGE"
        )
    return image or "local"


def _importable_from_rootdir(config: pytest.Config) -> None:
    """``module:factory`` is found in the rootdir under plain ``pytest`` as under ``python -m
    pytest`` (which puts the current directory on ``sys.path``); removed again at the end."""
    rootdir = str(config.rootpath)
    if rootdir in sys.path:
        return
    sys.path.insert(0, rootdir)

    def remove() -> None:
        if rootdir in sys.path:
            sys.path.remove(rootdir)

    config.add_cleanup(remove)


def _own_expectations(config: pytest.Config, option: str | None) -> OwnExpectations | None:
    """``--mysql-chaos-expected`` (relative to where pytest runs), else the ini value (relative
    to the rootdir), read and checked."""
    from chaos.strategy.own_expectations import read_own_expectations

    if option:
        return read_own_expectations(
            config.invocation_params.dir / option, "--mysql-chaos-expected"
        )
    ini = str(config.getini(EXPECTED_INI) or "").strip()
    if ini:
        return read_own_expectations(config.rootpath / ini, EXPECTED_INI)
    return None


def _check_strategies(names: tuple[str, ...]) -> None:
    from chaos.strategy import strategies, strategy_factory

    for name in names:
        strategy_factory(name)  # an unknown name or unimportable factory is one line here
    if not names:
        strategies()  # a broken entry point shows now, not in every cell
