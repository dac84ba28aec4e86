"""The strategies on mysqlclient and mysql-connector-python are bundled and loaded lazily, after the
PyMySQL ones and before the asyncio drivers'; their classes stay importable by path too."""

from __future__ import annotations

import subprocess
import sys

from chaos.strategy.registry import strategies


def test_the_driver_variants_are_bundled_between_pymysql_and_asyncio():
    names = strategies().names()
    drivers = [name for name in names if name.endswith(("-mysqlclient", "-connector-pure", "-c"))]
    assert drivers == [
        "naive-global-mysqlclient",
        "safe-mysqlclient",
        "naive-global-connector-pure",
        "safe-connector-pure",
        "naive-global-connector-c",
        "safe-connector-c",
        "sqlalchemy-pre-ping-mysqlclient",
        "sqlalchemy-pre-ping-connector-c",
    ]
    # After the PyMySQL ones (their order is the reports'), before the asyncio drivers'.
    assert names.index("safe") < names.index(drivers[0])
    assert names.index(drivers[-1]) < names.index("sqlalchemy-async-pre-ping")


def test_the_connector_variants_stay_importable_by_path():
    from mysql_chaos_apps.strategies import SafeConnectorCStrategy, SafeConnectorPureStrategy

    assert (SafeConnectorPureStrategy.driver_name, SafeConnectorCStrategy.driver_name) == (
        "connector-pure",
        "connector-c",
    )


def test_a_bundled_mysqlclient_strategy_without_the_extra_is_one_line_naming_it():
    code = (
        "import sys\n"
        "sys.modules['MySQLdb'] = None\n"
        "from chaos.cli.main import main\n"
        "sys.argv = ['mysql-chaos', 'matrix', '--strategy', 'safe-mysqlclient',"
        " '--fault', 'kill-connection']\n"
        "main()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert (done.returncode, done.stdout) == (2, "")
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "'mysqlclient'" in lines[0] and "pip install 'mysql-chaos[drivers]'" in lines[0]
