"""``mysql-chaos bench seed`` end to end, tiny: the table's shape and the last line's format
(never the numbers: a benchmark on a shared machine is not a pass/fail check)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager

import pytest

from chaos.bench.seed import APPS
from chaos.errors import ServerBinaryMissingError
from chaos.servers.rootfs import mysql_binary
from chaos.settings import ConnectionSettings
from tests.cli.support import run_cli


@pytest.fixture
def database_url(
    make_database: Callable[[str], AbstractContextManager[ConnectionSettings]],
) -> Iterator[str]:
    with make_database("mchaos_bench_") as settings:
        yield settings.url(scheme="mysql")


def test_bench_seed_prints_every_app_in_both_tls_modes_and_the_ratio_line_last(
    database_url: str,
) -> None:
    result = run_cli(
        "bench", "seed", "--mysql-url", database_url,
        "--duration", "0.3", "--rounds", "1", "--concurrency", "2",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"server: MariaDB 10\.\S+ at --mysql-url", lines[0]), lines[0]
    assert "uWSGI --processes 1 --threads 16" in lines[1]
    assert any("TLS off: ssl_disabled=True" in line for line in lines)
    header = next(i for i, line in enumerate(lines) if line.startswith("app "))
    assert lines[header].split() == ["app", "TLS", "c=2", "req/s", "x", "failed"]
    rows = [line.split() for line in lines[header + 1 : header + 9]]
    assert [(row[0], row[1]) for row in rows] == [
        (app, tls) for tls in ("off", "default") for app in APPS
    ]
    for row in rows:
        assert re.fullmatch(r"\d+", row[2]) and re.fullmatch(r"\d+\.\d\d", row[3]), row
        assert row[4] == "0", f"{row[0]} TLS {row[1]} had failed requests: {result.stdout}"
    assert [row[3] for row in rows if row[0] == "dbutils-persistent"] == ["1.00", "1.00"]
    assert re.fullmatch(r"safe/persistent: min \d+\.\d\d over c=2", lines[-1]), lines[-1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--concurrency", "0"], "Invalid value for '--concurrency'"),
        (["--tls", "maybe"], "Invalid value for '--tls'"),
        (["--mysql-url", "postgres://x@y/z"], "not a MySQL URL"),
        (["--server", "mysql", "--mysql-url", "mysql://a@b/c"], "exclude each other"),
    ],
)
def test_bench_seed_bad_input_is_one_line(args: list[str], message: str) -> None:
    result = run_cli("bench", "seed", *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_bench_proxy_defaults_to_a_disposable_server() -> None:
    result = run_cli("bench", "proxy", "--duration", "0.1", "--rounds", "1", "--concurrency", "1")
    assert result.returncode == 0, result.stderr
    assert "starting a disposable MariaDB" in result.stderr
    server, first = result.stdout.splitlines()[:2]
    assert re.fullmatch(r"server: MariaDB 10\.\S+, disposable \(--server local\)", server), server
    found = re.search(r"round trips to 127\.0\.0\.1:(\d+) ", first)
    assert found, first
    # The machine's own server listens on MySQL's default port; the disposable one never does.
    assert int(found.group(1)) != 3300 + 6


def test_bench_proxy_names_oracle_mysql_when_it_runs_on_it() -> None:
    try:
        mysql_binary()
    except ServerBinaryMissingError as missing:
        pytest.skip(str(missing))
    result = run_cli(
        "bench", "proxy", "--server", "mysql",
        "--duration", "0.1", "--rounds", "1", "--concurrency", "1",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "starting a disposable Oracle MySQL" in result.stderr
    server = result.stdout.splitlines()[0]
    assert re.fullmatch(r"server: Oracle MySQL 9\.\S+, disposable \(--server mysql\)", server)
