"""``mysql-chaos check-app`` on an ASGI app: detected, served by uvicorn, judged as WSGI apps."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("uvicorn", reason="the async extra is not installed (mysql-chaos[async])")
pytest.importorskip("aiomysql", reason="the async extra is not installed (mysql-chaos[async])")

CLI = str(Path(sys.executable).with_name("mysql-chaos"))
APP_SOURCE = Path(__file__).with_name("user_asgi_app.py")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("user-asgi-project")
    shutil.copy(APP_SOURCE, directory / "user_asgi_app.py")
    return directory


def _check_app(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CLI, "check-app", *args], capture_output=True, text=True, timeout=180, check=False,
        cwd=project,
    )  # fmt: skip


def test_an_asgi_app_is_detected_served_by_uvicorn_and_passes_when_it_reconnects(
    project: Path,
) -> None:
    # A connection per request: KILL finds no session to strike (unexercised), the wire faults do.
    result = _check_app(
        project, "user_asgi_app:fresh_app", "--url", "/ping",
        "--fault", "reset-peer", "--fault", "outage",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    # outage disables the proxy: it cannot count what it struck, and the summary says so.
    assert (
        "struck by every fault that counts its strikes (outage cannot count them), recovered "
        "after each, no hang"
    ) in result.stdout


def test_an_asgi_app_with_one_connection_forever_fails_naming_the_fault(project: Path) -> None:
    result = _check_app(
        project, "user_asgi_app:naive_app", "--url", "/ping", "--app-server", "uvicorn",
        "--fault", "kill-connection",
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    assert "kill-connection: norec [w" in result.stdout


def test_an_asgi_app_forced_onto_a_wsgi_server_is_one_line_and_exit_two(project: Path) -> None:
    result = _check_app(
        project, "user_asgi_app:fresh_app", "--url", "/ping", "--app-server", "gunicorn",
        "--fault", "kill-connection",
    )  # fmt: skip
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert "is an ASGI app, which a WSGI server cannot serve" in result.stderr
