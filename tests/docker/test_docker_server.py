"""DockerServer against a real engine: the contract the local backend passes, in a container."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

import pymysql
import pytest

from chaos.errors import ServerError
from chaos.servers.docker import DockerServer
from chaos.servers.docker.image import context_hash
from tests.servers.support import execute, rows, scalar

pytestmark = pytest.mark.docker

LOST = "Lost connection to MySQL server during query"


@pytest.fixture
def connect() -> Iterator:
    opened: list[pymysql.Connection] = []

    def open_connection(server: DockerServer, **overrides: object) -> pymysql.Connection:
        conn = pymysql.connect(**server.settings.pymysql_kwargs(**overrides))
        opened.append(conn)
        return conn

    yield open_connection
    for conn in opened:
        with contextlib.suppress(pymysql.err.Error):
            conn.close()


def test_image_tag_is_keyed_on_the_build_context(server_image):
    # A second run finds this tag and builds nothing; a changed Dockerfile gets a new tag.
    assert server_image.startswith("localhost/mysql-chaos-server:")
    assert len(context_hash()) == 12


def test_clients_get_the_app_account_and_root_answers_only_on_the_socket(docker_server, connect):
    conn = connect(docker_server)
    assert scalar(conn, "SELECT CURRENT_USER()") == "app@%"
    assert scalar(conn, "SELECT @@port") == docker_server.port
    assert docker_server.query("SELECT CURRENT_USER()") == [("root@localhost",)]
    with pytest.raises(pymysql.err.OperationalError) as refused:
        pymysql.connect(host="127.0.0.1", port=docker_server.port, user="root", password="")
    # Access denied (1698 on MariaDB when no account matches and no password was sent): a TCP
    # client is 127.0.0.1, never 'localhost'.
    assert refused.value.args[0] in (1045, 1698)
    assert "'root'@'127.0.0.1'" in refused.value.args[1]
    # Every container has its own password: the one of another container does not work.
    with pytest.raises(pymysql.err.OperationalError) as wrong:
        pymysql.connect(host="127.0.0.1", port=docker_server.port, user="app", password="x")
    assert wrong.value.args[0] == 1045


def test_only_app_and_socket_root_can_log_in(docker_server):
    accounts = docker_server.query("SELECT User, Host FROM mysql.user")
    # mariadb.sys is the locked definer of the sys views: nobody logs in as it.
    assert sorted(accounts) == [("app", "%"), ("mariadb.sys", "localhost"), ("root", "localhost")]


def test_the_app_password_is_not_in_the_containers_environment_or_command(docker_server):
    attrs = docker_server.container.attrs
    seen = " ".join([*attrs["Config"]["Env"], *(attrs["Config"]["Cmd"] or [])])
    assert docker_server.settings.password not in seen


def test_container_carries_the_owner_label(docker_server):
    from chaos.owner import owner_tag
    from chaos.servers.docker.engine import OWNER_LABEL

    assert docker_server.container.labels[OWNER_LABEL] == owner_tag()


def test_restart_keeps_port_and_data_and_loses_old_connections(docker_server, connect):
    port = docker_server.port
    conn = connect(docker_server, autocommit=True)
    execute(conn, "CREATE TABLE kept (id INT PRIMARY KEY) ENGINE=InnoDB")
    execute(conn, "INSERT INTO kept VALUES (1)")

    docker_server.restart()

    assert docker_server.port == port
    assert "Normal shutdown" in docker_server.log_text()
    with pytest.raises(pymysql.err.OperationalError) as lost:
        scalar(conn, "SELECT 1")
    assert lost.value.args[0] in (2006, 2013)
    assert rows(connect(docker_server), "SELECT id FROM kept") == [(1,)]


def test_kill_is_sigkill_and_crash_recovery_keeps_committed_data_only(docker_server, connect):
    committer = connect(docker_server, autocommit=True)
    execute(committer, "CREATE TABLE ledger (id INT PRIMARY KEY) ENGINE=InnoDB")
    execute(committer, "INSERT INTO ledger VALUES (1)")
    uncommitted = connect(docker_server)
    execute(uncommitted, "BEGIN")
    execute(uncommitted, "INSERT INTO ledger VALUES (2)")
    port = docker_server.port

    docker_server.kill(restart=False)
    assert docker_server.exit_code == 137  # 128 + SIGKILL
    docker_server.start()

    assert docker_server.port == port
    assert "InnoDB: Starting crash recovery" in docker_server.log_text()
    assert rows(connect(docker_server), "SELECT id FROM ledger") == [(1,)]


def test_frozen_server_times_out_a_query_and_answers_after_thaw(docker_server, connect):
    conn = connect(docker_server, read_timeout=1)
    docker_server.freeze()
    try:
        with pytest.raises(pymysql.err.OperationalError) as timed_out:
            scalar(conn, "SELECT 1")
        assert timed_out.value.args == (2013, f"{LOST} (timed out)")
    finally:
        docker_server.thaw()
    assert scalar(connect(docker_server, read_timeout=5), "SELECT 1") == 1


def test_set_global_round_trips_and_new_sessions_see_it(docker_server, connect):
    docker_server.set_global("wait_timeout", 77)
    assert docker_server.get_global("wait_timeout") == "77"
    assert scalar(connect(docker_server), "SELECT @@SESSION.wait_timeout") == 77


def test_kill_connection_breaks_exactly_the_victim(docker_server, connect):
    victim = connect(docker_server)
    bystander = connect(docker_server)
    victim_id = scalar(victim, "SELECT CONNECTION_ID()")
    assert victim_id in docker_server.client_connection_ids()

    docker_server.kill_connection(victim_id)

    with pytest.raises(pymysql.err.OperationalError) as gone:
        scalar(victim, "SELECT 1")
    assert gone.value.args[0] in (2006, 2013, 4031)
    assert scalar(bystander, "SELECT 1") == 1
    assert victim_id not in docker_server.client_connection_ids()


def test_stop_removes_container_and_socket_directory(server_image, engine):
    import docker

    server = DockerServer().start()
    container_id, workdir = server.container.id, server.workdir
    server.stop()
    server.stop()  # idempotent
    with pytest.raises(docker.errors.NotFound):
        engine.containers.get(container_id)
    assert not workdir.exists()
    with pytest.raises(ServerError, match="not started"):
        _ = server.settings


def test_stop_removes_a_frozen_container(server_image, engine):
    import docker

    server = DockerServer().start()
    container_id = server.container.id
    server.freeze()
    server.stop()
    with pytest.raises(docker.errors.NotFound):
        engine.containers.get(container_id)


def test_containers_started_in_parallel_get_distinct_ports(server_image):
    servers = [DockerServer(name=f"parallel-{n}") for n in range(3)]
    errors: list[BaseException] = []

    def start(server: DockerServer) -> None:
        try:
            server.start()
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=start, args=(s,)) for s in servers]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors
        assert len({server.port for server in servers}) == 3
        assert all(server.query("SELECT 1") == [(1,)] for server in servers)
    finally:
        for server in servers:
            server.stop()


def test_a_changed_build_context_gets_a_new_tag_and_the_old_image_goes(
    server_image, engine, monkeypatch
):
    import docker

    from chaos.servers.docker import image as image_module

    real_hash = image_module.context_hash()
    monkeypatch.setattr(image_module, "context_hash", lambda: real_hash[::-1])
    try:
        changed = image_module.server_image(engine)
        assert changed != server_image
        with pytest.raises(docker.errors.ImageNotFound):
            engine.images.get(server_image)
    finally:
        monkeypatch.undo()
        # Back to the real context: rebuilt from the engine's layer cache, the other one goes.
        assert image_module.server_image(engine) == server_image
    with pytest.raises(docker.errors.ImageNotFound):
        engine.images.get(changed)
