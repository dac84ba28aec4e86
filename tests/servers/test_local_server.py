"""LocalServer's process verbs against a real mariadbd: each does what the real event does."""

from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
import threading
import time

import pymysql
import pytest

from chaos import lifecycle
from chaos.errors import PortInUseError, ServerError
from chaos.ports import free_port
from chaos.servers.local import LocalServer
from chaos.servers.template import template_datadir

from .support import (
    execute,
    poll_until,
    process_cmdline,
    process_gone,
    process_state,
    rows,
    scalar,
    thread_states,
)

LOST = "Lost connection to MySQL server during query"


# -- start --------------------------------------------------------------------------------------
def test_started_server_answers_on_its_own_port(mysql_chaos_server, open_connection):
    conn = open_connection(mysql_chaos_server)
    assert scalar(conn, "SELECT 1") == 1
    assert scalar(conn, "SELECT @@port") == mysql_chaos_server.port
    assert mysql_chaos_server.running


def test_clients_connect_as_the_unprivileged_app_user_to_the_test_database(
    mysql_chaos_server, open_connection
):
    conn = open_connection(mysql_chaos_server)
    assert scalar(conn, "SELECT CURRENT_USER()") == "app@%"
    assert scalar(conn, "SELECT DATABASE()") == "test"
    # No SUPER: max_connections and read_only apply to it as to a real application's account.
    with pytest.raises(pymysql.err.OperationalError) as refused:
        execute(conn, "SET GLOBAL wait_timeout = 100")
    assert refused.value.args[0] == 1227


def test_admin_queries_run_as_root_over_the_unix_socket(mysql_chaos_server):
    assert mysql_chaos_server.admin_settings.unix_socket == mysql_chaos_server.socket_path
    assert mysql_chaos_server.query("SELECT CURRENT_USER()") == [("root@localhost",)]


def test_datadir_is_a_private_copy_of_the_cached_template(mysql_chaos_server, open_connection):
    template = template_datadir(mysql_chaos_server.binary)
    datadir = mysql_chaos_server.workdir / "data"
    assert f"--datadir={datadir}" in process_cmdline(mysql_chaos_server.pid)
    # `.complete` is written only when a template is bootstrapped: here it was copied.
    assert (datadir / ".complete").is_file()
    template_files = {path.relative_to(template) for path in template.rglob("*")}
    copied_files = {path.relative_to(datadir) for path in datadir.rglob("*")}
    assert template_files <= copied_files
    # A copy, not a link: what the server writes does not reach the template.
    conn = open_connection(mysql_chaos_server)
    execute(conn, "CREATE TABLE written_to_copy (id INT PRIMARY KEY) ENGINE=InnoDB")
    try:
        assert (datadir / "test" / "written_to_copy.frm").exists()
        assert not (template / "test" / "written_to_copy.frm").exists()
    finally:
        execute(conn, "DROP TABLE written_to_copy")


def test_requested_free_port_is_used():
    port = free_port()
    with LocalServer(port=port) as server:
        assert server.port == port
        assert server.query("SELECT @@port") == [(port,)]


def test_requested_port_that_is_taken_raises_port_in_use_and_leaves_nothing():
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        server = LocalServer(port=port)
        try:
            with pytest.raises(PortInUseError, match=f"127.0.0.1:{port} is already in use"):
                server.start()
            assert server.process is None
            assert server.workdir is None
        finally:
            server.stop()


# -- stop ---------------------------------------------------------------------------------------
def test_stop_ends_the_process_and_deletes_the_datadir():
    server = LocalServer()
    try:
        server.start()
        pid, workdir = server.pid, server.workdir
        assert workdir.is_dir()
        server.stop()
        assert process_gone(pid)
        assert not workdir.exists()
        assert not server.running
        with pytest.raises(ServerError, match="not started"):
            _ = server.settings
    finally:
        server.stop()


def test_a_stop_from_another_thread_while_the_server_is_spawned_leaves_no_datadir(monkeypatch):
    # The cleanup at Ctrl-C runs in the main thread while a cell's thread restarts the server:
    # stop must know the process being started, or its datadir is removed under it and the
    # starting server writes part of it back. A slow spawn holds that window open.
    server = LocalServer().start()
    workdir = server.workdir
    spawned = threading.Event()
    started: list[subprocess.Popen[bytes]] = []
    real_spawn = lifecycle.spawn

    def slow_spawn(*args, **kwargs):
        started.append(real_spawn(*args, **kwargs))
        spawned.set()
        time.sleep(1.0)  # the process runs; its owner does not know it yet
        return started[-1]

    monkeypatch.setattr(lifecycle, "spawn", slow_spawn)
    restarting = threading.Thread(target=_quietly, args=(server.restart,))
    try:
        restarting.start()
        assert spawned.wait(10)
        server.stop()
        assert started[-1].poll() is not None  # the process being spawned is ended too
    finally:
        restarting.join(30)
        server.stop()
    time.sleep(1.0)  # a server left running would have written its files back by now
    assert not workdir.exists(), sorted(str(path) for path in workdir.rglob("*"))
    assert not server.running


def _quietly(verb) -> None:
    with contextlib.suppress(ServerError):
        verb()  # the restart meets the stop: it may fail, it must not leave files


def test_stop_twice_and_stop_before_start_do_nothing():
    never_started = LocalServer()
    never_started.stop()
    server = LocalServer().start()
    pid = server.pid
    server.stop()
    server.stop()
    assert process_gone(pid)
    assert server.workdir is None


def test_start_after_stop_gives_a_fresh_server():
    server = LocalServer()
    try:
        server.start()
        first_workdir = server.workdir
        server.query("CREATE TABLE test.from_first_life (id INT)")
        server.stop()
        server.start()
        assert server.workdir != first_workdir
        assert server.query("SHOW TABLES FROM test LIKE 'from_first_life'") == []
    finally:
        server.stop()


def test_stop_ends_a_frozen_server():
    server = LocalServer()
    try:
        server.start()
        pid = server.pid
        server.freeze()
        server.stop()  # SIGCONT first: a stopped process cannot act on SIGTERM
        assert process_gone(pid)
    finally:
        server.stop()


# -- shutdown / restart -------------------------------------------------------------------------
def test_restart_keeps_port_and_data_and_loses_old_connections(fresh_server, open_connection):
    port, old_process = fresh_server.port, fresh_server.process
    conn = open_connection(fresh_server, autocommit=True)
    execute(conn, "CREATE TABLE kept (id INT PRIMARY KEY) ENGINE=InnoDB")
    execute(conn, "INSERT INTO kept VALUES (1)")

    fresh_server.restart()

    assert old_process.returncode == 0  # a clean shutdown, not a kill
    assert fresh_server.port == port
    assert fresh_server.pid != old_process.pid
    with pytest.raises(pymysql.err.OperationalError) as lost:
        scalar(conn, "SELECT 1")
    assert lost.value.args == (2013, LOST)
    assert rows(open_connection(fresh_server), "SELECT id FROM kept") == [(1,)]


def test_shutdown_keeps_the_datadir_for_a_later_start(fresh_server):
    port, workdir = fresh_server.port, fresh_server.workdir
    fresh_server.query("CREATE TABLE test.kept (id INT)")
    fresh_server.shutdown()
    assert not fresh_server.running
    assert workdir.is_dir()
    with pytest.raises(pymysql.err.OperationalError) as refused:
        pymysql.connect(**fresh_server.settings.pymysql_kwargs(connect_timeout=2))
    assert refused.value.args[0] == 2003

    fresh_server.start()
    assert (fresh_server.port, fresh_server.workdir) == (port, workdir)
    assert fresh_server.query("SHOW TABLES FROM test LIKE 'kept'") == [("kept",)]


# -- kill ---------------------------------------------------------------------------------------
def test_kill_is_sigkill_and_crash_recovery_keeps_committed_data_only(
    fresh_server, open_connection
):
    committer = open_connection(fresh_server, autocommit=True)
    execute(committer, "CREATE TABLE ledger (id INT PRIMARY KEY) ENGINE=InnoDB")
    execute(committer, "INSERT INTO ledger VALUES (1)")
    uncommitted = open_connection(fresh_server)
    execute(uncommitted, "BEGIN")
    execute(uncommitted, "INSERT INTO ledger VALUES (2)")
    old_process = fresh_server.process

    fresh_server.kill()

    assert old_process.returncode == -signal.SIGKILL
    error_log = (fresh_server.workdir / "error.log").read_text()
    assert "InnoDB: Starting crash recovery" in error_log
    assert rows(open_connection(fresh_server), "SELECT id FROM ledger") == [(1,)]


def test_kill_without_restart_leaves_the_server_down_until_stop(fresh_server):
    pid, workdir = fresh_server.pid, fresh_server.workdir
    fresh_server.kill(restart=False)
    assert process_gone(pid)
    assert not fresh_server.running
    with pytest.raises(ServerError, match="cannot connect"):
        fresh_server.query("SELECT 1")
    fresh_server.stop()
    assert not workdir.exists()


# -- freeze / thaw ------------------------------------------------------------------------------
def test_freeze_returns_only_once_every_server_thread_has_stopped(fresh_server):
    # SIGSTOP acts asynchronously; a freeze() that returned earlier let a query be answered.
    for _ in range(20):
        fresh_server.freeze()
        try:
            assert thread_states(fresh_server.pid) == {"T"}
        finally:
            fresh_server.thaw()


def test_frozen_server_times_out_a_query_and_answers_after_thaw(fresh_server, open_connection):
    conn = open_connection(fresh_server, read_timeout=1)
    fresh_server.freeze()
    try:
        with pytest.raises(pymysql.err.OperationalError) as timed_out:
            scalar(conn, "SELECT 1")
        assert timed_out.value.args == (2013, f"{LOST} (timed out)")
    finally:
        fresh_server.thaw()
    poll_until(lambda: process_state(fresh_server.pid) != "T", 5, "the server to resume")
    assert scalar(open_connection(fresh_server, read_timeout=1), "SELECT 1") == 1


def test_thaw_of_a_running_server_changes_nothing(mysql_chaos_server):
    mysql_chaos_server.thaw()
    assert mysql_chaos_server.query("SELECT 1") == [(1,)]


def test_freeze_of_a_stopped_server_raises():
    server = LocalServer()
    with pytest.raises(ServerError, match="not running"):
        server.freeze()
