"""A cell on an external server: a database of its own, nothing to undo when it was refused, and
no fault that would act on another server than the named one."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pymysql
import pytest
from scratch_accounts import scratch_account

from chaos.faults import FAULTS
from chaos.runner.environment import Backend, CellEnvironment
from chaos.servers.base import MySQLServer


@pytest.fixture
def account_without_create(mysql_chaos_server: MySQLServer) -> Iterator[str]:
    """A URL for an account that may use its own database and create no other."""
    with scratch_account(mysql_chaos_server, "nocreate_") as settings:
        yield settings.url(scheme="mysql")


def test_a_refused_cell_database_is_the_error_and_cleanup_is_quiet(
    account_without_create: str, caplog: pytest.LogCaptureFixture
) -> None:
    environment = CellEnvironment(
        FAULTS.get("kill-connection"), Backend(external_url=account_without_create)
    )
    with caplog.at_level(logging.WARNING), pytest.raises(pymysql.err.OperationalError) as raised:
        environment.start()
    assert raised.value.args[0] == 1044  # access denied to the cell's database
    assert [r.getMessage() for r in caplog.records if "cleanup" in r.getMessage()] == []


@pytest.fixture
def ci_service_url(mysql_chaos_server: MySQLServer) -> Iterator[str]:
    """An account as a CI service container gives: the cells' databases, CONNECTION ADMIN."""
    grants = ("CONNECTION ADMIN ON *.*", "ALL PRIVILEGES ON `mchaos\\_cell\\_%`.*")
    with scratch_account(mysql_chaos_server, "external_", *grants) as settings:
        yield settings.url(scheme="mysql")


def test_kernel_faults_skip_on_an_external_server_with_the_reason(
    ci_service_url: str, tmp_path: Path
) -> None:
    # They act on a server inside a namespace the run makes: on --server-url that would be a
    # disposable server, not the named one, and its pass would say nothing about it.
    faults = ("middlebox-drop", "middlebox-reset", "kill-connection")
    report = tmp_path / "report.json"
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("mysql-chaos")),
            "check",
            "mysql_chaos_apps.strategies.safe:SafeStrategy",
            *(arg for fault in faults for arg in ("--fault", fault)),
            "--server-url",
            ci_service_url,
            "--json",
            str(report),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 3, result.stdout + result.stderr
    reason = "needs a server inside a network namespace the suite makes (not an external server)"
    for fault in faults[:2]:
        assert f"SKIPPED mysql_chaos_apps.strategies.safe:SafeStrategy x {fault}: {reason}" in (
            result.stdout
        )
    cells = {cell["fault"]: cell["verdict"] for cell in json.loads(report.read_text())["cells"]}
    # The fault that can act on the named server ran there.
    assert cells == {"middlebox-drop": "skip", "middlebox-reset": "skip", "kill-connection": "pass"}
