"""The seed's Flask app: its exact strings and the transfer endpoint, through Flask's test client
and through a real gunicorn on an ephemeral port."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import flask
import pymysql
import pytest
from apps_testkit import AdminSession
from mysql_chaos_apps.flask_app import create_app, setup_city_table, strategy_of

from chaos.settings import ConnectionSettings
from chaos.strategy import StrategyConfig, strategies
from chaos.workload.bank import create_schema

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def tables(settings: ConnectionSettings) -> None:
    conn = pymysql.connect(**settings.pymysql_kwargs())
    try:
        setup_city_table(conn)
        create_schema(conn, accounts=4, initial_balance=1000)
    finally:
        conn.close()


def make_app(name: str, config: StrategyConfig) -> flask.Flask:
    return create_app(strategies().get(name), config)


def balances(admin: AdminSession) -> dict[int, int]:
    rows = admin.query(f"SELECT id, balance FROM `{admin.database}`.accounts ORDER BY id")
    return {int(account): int(balance) for account, balance in rows}


@pytest.fixture
def app(config: StrategyConfig, tables: None) -> Iterator[flask.Flask]:
    app = make_app("safe", config)
    try:
        yield app
    finally:
        strategy_of(app).close()


@pytest.mark.parametrize("name", ["per-request", "dbutils-persistent", "safe"])
def test_city_endpoint_answers_with_the_seeds_strings(
    name: str, config: StrategyConfig, tables: None
) -> None:
    app = make_app(name, config)
    try:
        client = app.test_client()
        found = client.get("/?city=London")
        missing = client.get("/?city=Atlantis")
    finally:
        strategy_of(app).close()
    assert (found.status_code, found.get_data(as_text=True)) == (200, 'City "London" is #312')
    assert (missing.status_code, missing.get_data(as_text=True)) == (
        200,
        'City "Atlantis" not found',
    )


def test_transfer_from_a_form_commits_one_transfer(app: flask.Flask, admin: AdminSession) -> None:
    response = app.test_client().post(
        "/transfer", data={"op_id": "t1", "from": "1", "to": "2", "amount": "5"}
    )
    assert (response.status_code, response.get_json()) == (200, {"status": "ok", "op_id": "t1"})
    assert balances(admin) == {1: 995, 2: 1005, 3: 1000, 4: 1000}


def test_transfer_from_json_commits_one_transfer(app: flask.Flask, admin: AdminSession) -> None:
    response = app.test_client().post(
        "/transfer", json={"op_id": "t2", "from": 3, "to": 4, "amount": 7}
    )
    assert response.status_code == 200
    assert balances(admin) == {1: 1000, 2: 1000, 3: 993, 4: 1007}


@pytest.mark.parametrize(
    "payload",
    [{"from": 1, "to": 2, "amount": 1}, {"op_id": "x", "from": "one", "to": 2, "amount": 1}],
)
def test_transfer_with_bad_input_is_400_and_changes_nothing(
    payload: dict[str, object], app: flask.Flask, admin: AdminSession
) -> None:
    response = app.test_client().post("/transfer", json=payload)
    assert response.status_code == 400
    assert response.get_json()["status"] == "bad-request"
    assert set(balances(admin).values()) == {1000}


def test_transfer_that_definitely_failed_is_409(config: StrategyConfig, tables: None) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    unreachable = replace(
        config, connection=replace(config.connection, port=port), extra={"attempts": 2}
    )
    app = make_app("safe", unreachable)
    try:
        response = app.test_client().post(
            "/transfer", json={"op_id": "t3", "from": 1, "to": 2, "amount": 1}
        )
    finally:
        strategy_of(app).close()
    assert response.status_code == 409
    assert response.get_json()["status"] == "fail"


def test_transfer_with_unknown_outcome_is_503_naming_the_error(
    config: StrategyConfig, tables: None, admin: AdminSession
) -> None:
    app = make_app("naive-global", config)
    try:
        admin.kill_all()  # the seed's global connection dies while idle
        response = app.test_client().post(
            "/transfer", json={"op_id": "t4", "from": 1, "to": 2, "amount": 1}
        )
    finally:
        strategy_of(app).close()
    assert response.status_code == 503
    assert response.get_json()["status"] == "unknown"
    assert response.get_json()["error"] == "OperationalError"


class GunicornServer:
    """``gunicorn 'mysql_chaos_apps.flask_app:build_from_env()'`` on a socket bound here."""

    def __init__(self, strategy: str, settings: ConnectionSettings) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.base_url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        fd = self.listener.fileno()
        env = {
            **os.environ,
            "MYSQL_CHAOS_STRATEGY": strategy,
            "MYSQL_CHAOS_DSN": settings.url(scheme="mysql"),
        }
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "gunicorn", "--workers", "1", "--threads", "4"),
                *("--bind", f"fd://{fd}", "mysql_chaos_apps.flask_app:build_from_env()"),
            ],
            cwd=REPO,
            env=env,
            pass_fds=(fd,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def request(self, path: str, form: dict[str, str] | None = None) -> tuple[int, str]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with urllib.request.urlopen(self.base_url + path, data=data, timeout=10) as reply:
                return reply.status, reply.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def wait_ready(self, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                pytest.fail(f"gunicorn exited: {self.process.stderr.read().decode()[-2000:]}")
            try:
                self.request("/?city=ping")
                return
            except OSError:
                if time.monotonic() >= deadline:
                    pytest.fail(f"gunicorn did not answer within {timeout:.0f} s")
                time.sleep(0.05)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stderr is not None:
            self.process.stderr.close()
        self.listener.close()


@pytest.fixture
def gunicorn(settings: ConnectionSettings, tables: None) -> Iterator[GunicornServer]:
    server = GunicornServer("safe", settings)
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


def test_gunicorn_serves_the_city_endpoint_and_transfers(
    gunicorn: GunicornServer, admin: AdminSession
) -> None:
    assert gunicorn.request("/?city=London") == (200, 'City "London" is #312')
    assert gunicorn.request("/?city=Atlantis") == (200, 'City "Atlantis" not found')
    status, body = gunicorn.request(
        "/transfer", {"op_id": "g1", "from": "1", "to": "3", "amount": "10"}
    )
    assert (status, json.loads(body)) == (200, {"status": "ok", "op_id": "g1"})
    assert balances(admin) == {1: 990, 2: 1000, 3: 1010, 4: 1000}
