"""``mysql-chaos check-app``: any WSGI app a user names, judged from HTTP (and the user's own
database check), run in the user's directory as a user runs it."""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

CLI = str(Path(sys.executable).with_name("mysql-chaos"))
APP_SOURCE = Path(__file__).with_name("user_wsgi_app.py")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("user-project")
    shutil.copy(APP_SOURCE, directory / "user_wsgi_app.py")
    return directory


def _check_app(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CLI, "check-app", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=project,
    )


def test_an_app_that_reconnects_passes_and_its_database_check_is_called(project: Path) -> None:
    result = _check_app(
        project,
        "user_wsgi_app:fresh_app",
        "--url", "/ping",
        "--fault", "reset-peer",
        "--db-check", "user_wsgi_app:consistent",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "struck by every fault, recovered after each, no hang, database consistent" in (
        result.stdout
    )


WRITE_FAULTS = ("mid-transaction-drop", "ambiguous-commit", "deadlock")


def _faults(*names: str) -> list[str]:
    return [arg for name in names for arg in ("--fault", name)]


def test_a_get_only_load_names_the_faults_that_never_struck_and_fails(project: Path) -> None:
    # fresh_app holds no connection between requests: KILL finds nothing to kill, and the wire
    # faults wait for a write that a GET never sends.
    faults = (*WRITE_FAULTS, "kill-connection")
    result = _check_app(
        project, "user_wsgi_app:orders_app", "--url", "/ping", *_faults(*faults), "--json", "g.json"
    )
    assert result.returncode == 1, result.stdout + result.stderr
    for fault in faults:
        assert f"{fault}: unexercised [] fault {fault} never struck the code under test" in (
            result.stdout
        )
    cells = json.loads((project / "g.json").read_text())["cells"]
    assert {cell["verdict"] for cell in cells} == {"unexercised"}
    assert {cell["strike"]["struck"] for cell in cells} == {False}


ORDER = ("--request", "POST /orders", "--body", '{"sku": 7, "op": "{op_id}"}')


def test_with_a_write_load_the_write_faults_strike_and_a_correct_app_passes(
    project: Path,
) -> None:
    result = _check_app(
        project,
        "user_wsgi_app:orders_app",
        "--url", "/ping",
        *ORDER,
        *_faults(*WRITE_FAULTS),
        "--db-check", "user_wsgi_app:orders_consistent",
        "--json", "w.json",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    cells = json.loads((project / "w.json").read_text())["cells"]
    assert {cell["fault"]: cell["verdict"] for cell in cells} == dict.fromkeys(WRITE_FAULTS, "pass")
    assert all(cell["strike"]["struck"] is True for cell in cells), cells


def test_an_app_that_swallows_errors_on_its_write_path_is_red_with_the_violation(
    project: Path,
) -> None:
    result = _check_app(
        project,
        "user_wsgi_app:swallowing_orders_app",
        "--url", "/ping",
        *ORDER,
        "--fault", "mid-transaction-drop",
        "--db-check", "user_wsgi_app:orders_consistent",
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    assert "mid-transaction-drop: dbcheck [] the database check returned False" in result.stdout
    assert "unexercised" not in result.stdout


def test_a_load_function_sends_the_writes_through_the_client_it_is_given(project: Path) -> None:
    result = _check_app(
        project,
        "user_wsgi_app:swallowing_orders_app",
        "--url", "/ping",
        "--load", "user_wsgi_app:order_load",
        "--fault", "mid-transaction-drop",
        "--db-check", "user_wsgi_app:orders_consistent",
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    assert "mid-transaction-drop: dbcheck [] the database check returned False" in result.stdout


def test_an_app_with_one_connection_forever_fails_naming_the_fault_and_the_db_check(
    project: Path,
) -> None:
    result = _check_app(
        project,
        "user_wsgi_app:naive_app",
        "--url", "/ping",
        "--fault", "kill-connection",
        "--db-check", "user_wsgi_app:inconsistent",
        "--json", "report.json",
        "--junit", "report.xml",
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    # The reports are check's: one row, the app, held to every invariant, and the same gate.
    report = json.loads((project / "report.json").read_text())
    assert report["exit_code"] == 1
    (cell,) = report["cells"]
    assert (cell["strategy"], cell["fault"]) == ("user_wsgi_app:naive_app", "kill-connection")
    assert cell["violations"] and cell["status"] == "mismatch"
    assert 'failures="1"' in (project / "report.xml").read_text()
    assert "kill-connection: norec [w" in result.stdout
    assert "kill-connection: stillf [w" in result.stdout
    assert "kill-connection: dbcheck [] the database check returned False" in result.stdout


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["no_such_module:app", "--url", "/"], "no_such_module"),
        (["user_wsgi_app:no_such_app", "--url", "/"], "does not serve /"),
        (["user_wsgi_app:fresh_app", "--url", "http://elsewhere/"], "--url must be a path"),
        (
            ["user_wsgi_app:fresh_app", "--url", "/", "--db-check", "user_wsgi_app:nothing"],
            "--db-check 'user_wsgi_app:nothing': 'user_wsgi_app' has no attribute 'nothing'",
        ),
        (
            ["user_wsgi_app:fresh_app", "--url", "/", "--request", "SEND /x"],
            "--request must look like 'METHOD /path'",
        ),
        (
            ["user_wsgi_app:fresh_app", "--url", "/", "--request", "POST orders"],
            "the path must look like /orders?x=1",
        ),
        (["user_wsgi_app:fresh_app", "--url", "/", "--body", "{}"], "go with a --request"),
        (
            ["user_wsgi_app:fresh_app", "--url", "/", "--request", "GET /x", "--body", "{}"],
            "--body needs a --request that is not GET or HEAD",
        ),
        (
            [
                "user_wsgi_app:fresh_app", "--url", "/",
                "--request", "POST /a", "--request", "POST /b", "--request", "POST /c",
                "--body", "1", "--body", "2",
            ],
            "--body given 2 times for 3 --request",
        ),
        (
            [
                "user_wsgi_app:fresh_app", "--url", "/",
                "--request", "POST /a", "--body", "1", "--content-type", "json",
            ],
            "--content-type must look like type/subtype",
        ),
        (
            ["user_wsgi_app:fresh_app", "--url", "/", "--load", "user_wsgi_app:nothing"],
            "--load 'user_wsgi_app:nothing': 'user_wsgi_app' has no attribute 'nothing'",
        ),
        (
            ["user_wsgi_app:fresh_app", "--url", "/", "--load", "user_wsgi_app:STOCK"],
            "--load user_wsgi_app:STOCK: a int, not a function",
        ),
        (
            ["user_wsgi_app:fresh_app", "--url", "/", "--load", "nocolon"],
            "--load must look like 'module:function'",
        ),
        (
            [
                "user_wsgi_app:fresh_app", "--url", "/",
                "--load", "user_wsgi_app:order_load", "--request", "POST /a",
            ],
            "--load sends every request itself",
        ),
    ],
    ids=[
        "unimportable-module",
        "missing-app",
        "bad-url",
        "missing-db-check",
        "bad-method",
        "bad-request-path",
        "body-alone",
        "body-for-a-get",
        "bodies-not-paired",
        "bad-content-type",
        "missing-load",
        "load-not-callable",
        "load-shape",
        "load-and-request",
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_exit_two(project: Path, args: list[str], said: str) -> None:
    before = set(project.iterdir())
    result = _check_app(project, *args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.strip().count("\n") == 0, result.stderr
    assert said in result.stderr and "Traceback" not in result.stderr
    assert set(project.iterdir()) <= before | {project / "__pycache__"}  # nothing left behind


SETPRIV = shutil.which("setpriv")


@pytest.mark.skipif(SETPRIV is None, reason="needs util-linux setpriv")
def test_a_skipped_fault_fails_the_gate_unless_allowed_as_in_check(project: Path) -> None:
    # Without CAP_NET_ADMIN (dropped here, as on an unprivileged runner) the kernel fault skips.
    assert SETPRIV is not None
    command = [SETPRIV, "--inh-caps=-net_admin", "--bounding-set=-net_admin", CLI, "check-app"]
    args = ["user_wsgi_app:fresh_app", "--url", "/ping", "--fault", "middlebox-drop"]
    run = functools.partial(
        subprocess.run, capture_output=True, text=True, timeout=120, check=False, cwd=project
    )
    refused = run([*command, *args, "--json", "skipped.json"])
    assert refused.returncode == 3, refused.stdout + refused.stderr
    assert "SKIPPED user_wsgi_app:fresh_app x middlebox-drop: needs CAP_NET_ADMIN" in refused.stdout
    assert json.loads((project / "skipped.json").read_text())["exit_code"] == 3
    allowed = run([*command, *args, "--allow-skip"])
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    assert "1 skipped (allowed by --allow-skip)" in allowed.stdout


def _python_without_wsgi_servers(root: Path) -> Path:
    """An interpreter that sees every package of this one but uWSGI and gunicorn: a venv whose
    site directory links to this environment's entries, the WSGI servers left out."""
    venv.create(root / "venv", with_pip=False)
    python = root / "venv" / "bin" / "python"
    site = Path(
        subprocess.check_output(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
        ).strip()
    )
    linked = root / "linked"
    linked.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if not entry.name.lower().startswith(("gunicorn", "pyuwsgi", "uwsgi")):
            (linked / entry.name).symlink_to(entry)
    (site / "linked.pth").write_text(f"import site; site.addsitedir({str(linked)!r})\n")
    return python


def test_without_a_wsgi_server_it_says_what_to_install_not_that_the_app_fails(
    project: Path, tmp_path: Path
) -> None:
    python = _python_without_wsgi_servers(tmp_path)
    path = os.pathsep.join(
        d for d in os.environ.get("PATH", "").split(os.pathsep) if not shutil.which("uwsgi", path=d)
    )
    cli = [python, "-c", "from chaos.cli.main import main; main()", "check-app"]
    result = subprocess.run(
        [*cli, "user_wsgi_app:fresh_app", "--url", "/ping", "--fault", "kill-connection"],
        capture_output=True, text=True, timeout=120, check=False, cwd=project,
        env={**os.environ, "PATH": path},
    )  # fmt: skip
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.strip() == (
        "mysql-chaos: no WSGI server is installed: pip install 'mysql-chaos[app]' "
        "(uWSGI, as pyuwsgi) or pip install gunicorn"
    )
    assert "starting" not in result.stdout  # nothing was started


def test_it_takes_the_gate_options_of_check_every_report_format_and_allow_skip() -> None:
    from chaos.reports.format import report_formats

    shown = subprocess.run([CLI, "check-app", "--help"], capture_output=True, text=True).stdout
    for _, report_format in report_formats().items():
        assert f"{report_format.option} FILE" in shown
    assert "--allow-skip" in shown
