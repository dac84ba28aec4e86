"""The container path on Oracle MySQL: ``--server docker:local-mysql``.

The image is built here from the MySQL flavour's root filesystem (``mysql-chaos server install
mysql``), imported as a base: nothing is pulled. Its containers keep the backend's rules (``app``
with a password of each container's own, root on the Unix socket alone, the owner label the
sweep reads) and the matrix run on them is held to MySQL's recorded verdicts. Skipped, with the
reason, where the root filesystem has not been made (``./quickstart install-mysql``).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pymysql
import pytest

from chaos.errors import CapabilityMissingError
from chaos.runner.environment import Backend
from chaos.servers.docker import LOCAL_MYSQL_BASE, DockerServer
from chaos.strategy.expectations import IN_PROCESS, expected_verdicts
from tests.servers.support import scalar

pytestmark = pytest.mark.docker

MYSQL_CHAOS = str(Path(sys.executable).with_name("mysql-chaos"))
STRATEGIES = ("safe", "naive-global")
# Where MySQL and MariaDB part ways on the wire (a 4031 goodbye; a KILL and a restart that send
# nothing), and a fault in the server's process that a container makes otherwise (SIGKILL of
# PID 1 and crash recovery in the same container).
FAULTS = ("idle-timeout", "kill-connection", "server-restart", "server-crash")


@pytest.fixture(scope="module")
def mysql_image(engine: Any) -> str:
    from chaos.servers.docker import server_image

    try:
        return server_image(engine, LOCAL_MYSQL_BASE)
    except CapabilityMissingError as e:
        pytest.skip(str(e))


@pytest.fixture
def mysql_server(mysql_image: str) -> Iterator[DockerServer]:
    with DockerServer(base=LOCAL_MYSQL_BASE, name="tests-docker-mysql") as server:
        yield server


def test_the_container_runs_oracle_mysql_from_the_flavours_root_filesystem(mysql_server):
    from chaos.servers.rootfs import mysql_binary

    version = mysql_server.query("SELECT VERSION()")[0][0]
    assert "mariadb" not in version.lower()
    assert version.split("-")[0] == mysql_binary().version.split("-")[0]
    # No X Protocol listener on a port of its own in the host's network.
    plugins = mysql_server.query(
        "SELECT PLUGIN_STATUS FROM information_schema.PLUGINS WHERE PLUGIN_NAME = 'mysqlx'"
    )
    assert plugins in ([], [("DISABLED",)])


def test_clients_get_the_app_account_and_root_answers_only_on_the_socket(mysql_server):
    conn = pymysql.connect(**mysql_server.settings.pymysql_kwargs())
    try:
        assert scalar(conn, "SELECT CURRENT_USER()") == "app@%"
        assert scalar(conn, "SELECT @@port") == mysql_server.port
    finally:
        conn.close()
    assert mysql_server.query("SELECT CURRENT_USER()") == [("root@localhost",)]
    with pytest.raises(pymysql.err.OperationalError) as refused:
        pymysql.connect(host="127.0.0.1", port=mysql_server.port, user="root", password="")
    # A TCP client is 127.0.0.1 (--skip-name-resolve), never 'localhost': no account matches.
    assert refused.value.args[0] == 1045
    assert "'root'@'127.0.0.1'" in refused.value.args[1]
    with pytest.raises(pymysql.err.OperationalError) as wrong:
        pymysql.connect(host="127.0.0.1", port=mysql_server.port, user="app", password="x")
    assert wrong.value.args[0] == 1045


def test_only_app_and_socket_root_can_log_in(mysql_server):
    accounts = mysql_server.query(
        "SELECT User, Host, account_locked FROM mysql.user ORDER BY User, Host"
    )
    # MySQL's system accounts are locked: nobody logs in as them.
    assert accounts == [
        ("app", "%", "N"),
        ("mysql.infoschema", "localhost", "Y"),
        ("mysql.session", "localhost", "Y"),
        ("mysql.sys", "localhost", "Y"),
        ("root", "localhost", "N"),
    ]


def test_a_kill_restarts_the_same_container_through_crash_recovery(mysql_server):
    mysql_server.query("CREATE TABLE test.t (id INT PRIMARY KEY) ENGINE=InnoDB")
    mysql_server.query("INSERT INTO test.t VALUES (1)")
    port = mysql_server.port
    mysql_server.kill()
    assert mysql_server.port == port
    assert mysql_server.query("SELECT id FROM test.t") == [(1,)]


def test_a_docker_local_mysql_run_is_held_to_mysqls_verdicts():
    assert Backend(docker_image=LOCAL_MYSQL_BASE).flavour() == "mysql"
    assert Backend(docker_image="local").flavour() == "mariadb"


def test_the_matrix_on_docker_local_mysql_meets_mysqls_recorded_verdicts(mysql_image, tmp_path):
    report = tmp_path / "matrix.json"
    args = [MYSQL_CHAOS, "matrix", "--server", f"docker:{LOCAL_MYSQL_BASE}", "--jobs", "4"]
    args += [f"--strategy={s}" for s in STRATEGIES] + [f"--fault={f}" for f in FAULTS]
    run = subprocess.run(
        [*args, "--json", str(report)], capture_output=True, text=True, timeout=600, check=False
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "held to the mysql verdicts" in run.stdout + run.stderr
    cells = json.loads(report.read_text())["cells"]
    expected = expected_verdicts(IN_PROCESS, "mysql")
    assert {(c["strategy"], c["fault"]): (c["status"], c["expected"]) for c in cells} == {
        (s, f): ("met", list(expected[(s, f)].violations)) for s in STRATEGIES for f in FAULTS
    }
