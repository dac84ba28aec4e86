"""`check`, `matrix` and the pytest matrix take async strategies as they take sync ones."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("aiomysql", reason="the async extra is not installed (mysql-chaos[async])")

CLI = [str(Path(sys.executable).with_name("mysql-chaos"))]

# A user's own async strategies, in the directory they run `check` from.
USER_MODULE = """
import aiomysql

from mysql_chaos_apps.strategies.aiomysql_safe import AiomysqlSafeStrategy


def correct(config):
    return AiomysqlSafeStrategy(config)


class OneConnectionForever:
    '''The seed's global connection, on aiomysql: made once, never replaced.'''

    def __init__(self, config):
        self.settings = config.connection
        self.conn = None

    async def run(self, unit):
        s = self.settings
        if self.conn is None:
            self.conn = await aiomysql.connect(
                host=s.host, port=s.port, user=s.user, password=s.password, db=s.database
            )
        try:
            result = await unit.body(self.conn)
            await self.conn.commit()
            return result
        except BaseException:
            try:
                await self.conn.rollback()
            except Exception:
                pass
            raise

    async def close(self):
        if self.conn is not None:
            self.conn.close()
"""


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "mchaos_async_user.py").write_text(USER_MODULE)
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, timeout=300, check=False, cwd=tmp_path
    )


def test_check_passes_a_correct_async_strategy(tmp_path: Path) -> None:
    result = _run(
        tmp_path,
        *("check", "mchaos_async_user:correct"),
        *("--fault", "kill-connection", "--fault", "ambiguous-commit", "--fault", "reset-peer"),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "every invariant held under every fault" in result.stdout


def test_check_fails_a_broken_async_strategy_naming_the_violation(tmp_path: Path) -> None:
    result = _run(
        tmp_path, "check", "mchaos_async_user:OneConnectionForever", "--fault", "kill-connection"
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "kill-connection: norec [w" in result.stdout


def test_matrix_runs_the_bundled_async_strategies_against_their_expectations(
    tmp_path: Path,
) -> None:
    report = tmp_path / "matrix.json"
    result = _run(
        tmp_path,
        *("matrix", "--strategy", "aiomysql-safe", "--strategy", "sqlalchemy-async-pre-ping"),
        *("--fault", "mid-transaction-drop", "--fault", "server-freeze", "--json", str(report)),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    verdicts = {
        (c["strategy"], c["fault"]): c["verdict"] for c in json.loads(report.read_text())["cells"]
    }
    # The frozen server is met with a timeout by one and with none by the other.
    assert verdicts[("aiomysql-safe", "server-freeze")] == "pass"
    assert verdicts[("sqlalchemy-async-pre-ping", "server-freeze")] == "hang"


def test_the_pytest_matrix_runs_async_strategies_as_items(pytester) -> None:
    result = pytester.runpytest(
        "--mysql-chaos-matrix",
        "--mysql-chaos-strategy=asyncmy-safe",
        "--mysql-chaos-strategy=sqlalchemy-async-pre-ping",
        "--mysql-chaos-fault=kill-connection",
        "--mysql-chaos-fault=slow-network",
    )
    result.assert_outcomes(passed=4)
