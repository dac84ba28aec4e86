"""A plain ``pip install mysql-chaos`` pulls no Flask, SQLAlchemy, DBUtils or uvloop, and works.

A fresh virtualenv per test would take minutes; instead each run below makes those packages
unimportable in its own interpreter (``sys.modules[name] = None``, what Python does for a
module that is not there) and uses the CLI, ``check`` of a user's strategy and the plugin.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.strategy.readme_strategy import write_readme_strategy

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
#: Distribution names, and the top-level modules they provide.
OPTIONAL = {"flask": "flask", "sqlalchemy": "sqlalchemy", "dbutils": "dbutils", "uvloop": "uvloop"}
BLOCK = "import sys\nfor name in {!r}: sys.modules[name] = None\n".format(
    (*OPTIONAL.values(), "DBUtils")
)


def _requirement_name(requirement: str) -> str:
    return re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0].lower()


def without_optional_packages(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", BLOCK + code],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def cli(*args: str) -> str:
    return f"from chaos.cli.main import main\nsys.argv = ['mysql-chaos', *{args!r}]\nmain()\n"


def test_the_base_dependencies_exclude_the_optional_packages() -> None:
    base = {_requirement_name(r) for r in PYPROJECT["project"]["dependencies"]}
    assert not base & set(OPTIONAL), base
    extras = PYPROJECT["project"]["optional-dependencies"]
    strategies = {_requirement_name(r) for r in extras["strategies"]}
    assert {"flask", "sqlalchemy", "dbutils"} <= strategies
    assert {"flask", "pyuwsgi"} <= {_requirement_name(r) for r in extras["app"]}
    assert "uvloop" in {_requirement_name(r) for r in extras["speedups"]}
    # ./quickstart installs .[test]: the suite needs every extra but docker.
    assert "mysql-chaos[strategies,app,speedups]" in extras["test"]
    readme = (ROOT / "README.md").read_text()
    for extra in ("strategies", "app", "speedups"):
        assert f"mysql-chaos[{extra}]" in readme


def test_help_and_check_of_a_user_strategy_need_none_of_them(tmp_path: Path) -> None:
    run = without_optional_packages(cli("--help"), tmp_path)
    assert run.returncode == 0 and "check" in run.stdout, run.stderr
    spec = write_readme_strategy(tmp_path)
    run = without_optional_packages(cli("check", spec, "--fault", "reset-peer"), tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "every invariant held" in run.stdout


def test_a_bundled_strategy_without_its_extra_is_one_line_naming_it(tmp_path: Path) -> None:
    run = without_optional_packages(
        cli("matrix", "--strategy", "per-request", "--fault", "kill-connection"), tmp_path
    )
    assert run.returncode == 2, run.stdout + run.stderr
    assert run.stderr.strip().splitlines() == [
        "mysql-chaos: strategy 'per-request' needs Flask, which is not installed: "
        "pip install 'mysql-chaos[strategies]'"
    ]


def test_the_plugin_loads_and_runs_a_fault_without_them(tmp_path: Path) -> None:
    (tmp_path / "test_mine.py").write_text(
        "import pymysql, pytest\n"
        "@pytest.mark.mysql_chaos(faults=['reset-peer'])\n"
        "def test_it(mysql_chaos_fault):\n"
        "    conn = pymysql.connect(**mysql_chaos_fault.pymysql_kwargs())\n"
        "    with mysql_chaos_fault, pytest.raises(pymysql.OperationalError):\n"
        "        conn.query('SELECT 1')\n"
    )
    code = "import pytest\nsys.exit(pytest.main(['-p', 'no:cacheprovider', '-q', 'test_mine.py']))"
    run = without_optional_packages(code, tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout
