"""The password of --server-url appears in no output: errors, progress, logs, reports."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from chaos.runner.environment import Backend
from chaos.servers.local import LocalServer
from chaos.settings import ConnectionSettings
from tests.cli.support import run_cli

PASSWORD = "Pw-9f3e1c-secret"
SAFE = "mysql_chaos_apps.strategies.safe:SafeStrategy"


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    with LocalServer(name="mysql-chaos-redaction") as server:
        server.query(f"CREATE USER 'ext'@'%' IDENTIFIED BY '{PASSWORD}'")
        server.query("GRANT ALL PRIVILEGES ON *.* TO 'ext'@'%'")
        assert server.port is not None
        yield server.port


def test_a_refused_login_is_an_error_cell_without_the_password(port: int) -> None:
    url = f"mysql://ext:{PASSWORD}-wrong@127.0.0.1:{port}/test"
    result = run_cli("check", SAFE, "--fault", "kill-connection", "--server-url", url)
    assert result.returncode == 4, result.stdout + result.stderr
    assert "Access denied for user 'ext'" in result.stdout
    assert PASSWORD not in result.stdout + result.stderr


def test_a_malformed_url_is_quoted_without_the_password() -> None:
    url = f"mysql://ext:{PASSWORD}@127.0.0.1:notaport/test"
    result = run_cli("check", SAFE, "--server-url", url)
    assert result.returncode == 2
    assert "mysql://ext:***@127.0.0.1:notaport/test" in result.stderr
    assert PASSWORD not in result.stdout + result.stderr


def test_a_full_run_with_debug_logs_and_reports_never_shows_it(port: int, tmp_path: Path) -> None:
    url = f"mysql://ext:{PASSWORD}@127.0.0.1:{port}/test"
    report = tmp_path / "r.json"
    result = run_cli(
        "-vv",
        "matrix",
        "--strategy",
        "safe",
        "--fault",
        "kill-connection",
        "--fault",
        "idle-timeout",  # skipped: a GLOBAL change on a server the suite does not own
        "--server-url",
        url,
        "--json",
        str(report),
        "--allow-skip",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SKIPPED safe x idle-timeout" in result.stdout
    assert PASSWORD not in result.stdout + result.stderr + report.read_text()
    assert json.loads(report.read_text())["exit_code"] == 0


def test_settings_and_backend_reprs_hide_the_password() -> None:
    url = f"mysql://ext:{PASSWORD}@db.example:3307/shop"
    settings = ConnectionSettings.from_url(url)
    assert PASSWORD not in repr(settings) and PASSWORD not in settings.describe()
    assert settings.describe() == "ext@db.example:3307/shop"
    backend = Backend(external_url=url)
    assert PASSWORD not in repr(backend) and "ext:***@db.example" in repr(backend)
    assert PASSWORD not in backend.describe()
