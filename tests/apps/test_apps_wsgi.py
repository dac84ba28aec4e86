"""``mysql_chaos_apps.wsgi:app`` under a real WSGI server process (uWSGI from the pyuwsgi wheel, and
gunicorn): the seed's exact answer, the schema it creates, honest errors, nothing left behind."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator

import pytest
from apps_testkit import AdminSession

from chaos.appserver.app_server import AppServer, _group_members, find_uwsgi
from chaos.errors import ServerError
from chaos.settings import ConnectionSettings

SERVERS = ["uwsgi", "gunicorn"]


def request(server: AppServer, path: str, form: dict[str, str] | None = None) -> tuple[int, str]:
    """``GET path``, or ``POST`` the form, over the server's Unix socket."""
    conn = server.connection(timeout=10)
    try:
        if form is None:
            conn.request("GET", path)
        else:
            body = urllib.parse.urlencode(form)
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            conn.request("POST", path, body=body, headers=headers)
        reply = conn.getresponse()
        return reply.status, reply.read().decode()
    finally:
        conn.close()


def env_for(settings: ConnectionSettings, strategy: str = "safe", **extra: str) -> dict[str, str]:
    return {
        "MYSQL_CHAOS_STRATEGY": strategy,
        "MYSQL_CHAOS_DSN": settings.url(scheme="mysql"),
        **extra,
    }


@pytest.fixture(params=SERVERS)
def wsgi_server(request: pytest.FixtureRequest) -> str:
    if request.param == "uwsgi" and find_uwsgi() is None:
        pytest.fail("uwsgi is missing: the test extra installs the pyuwsgi wheel")
    return request.param


@pytest.fixture
def served(wsgi_server: str, settings: ConnectionSettings) -> Iterator[AppServer]:
    server = AppServer("mysql_chaos_apps.wsgi:app", env_for(settings), server=wsgi_server)
    with server:
        yield server


def test_uwsgi_is_the_seeds_server_when_installed() -> None:
    assert AppServer("mysql_chaos_apps.wsgi:app", {}).server == "uwsgi"
    assert "--threads" in AppServer("mysql_chaos_apps.wsgi:app", {}).command()


def test_the_city_endpoint_answers_the_seeds_string_from_the_schema_it_created(
    served: AppServer,
) -> None:
    assert request(served, "/?city=London") == (200, 'City "London" is #312')
    assert request(served, "/?city=Atlantis") == (200, 'City "Atlantis" not found')


def test_a_missing_table_is_a_definite_failure_not_unknown(
    served: AppServer, admin: AdminSession
) -> None:
    admin.query(f"DROP TABLE `{admin.database}`.city")
    status, body = request(served, "/?city=London")
    assert status == 500
    assert body.startswith("not applied: ") and "1146" in body
    admin.query(f"DROP TABLE `{admin.database}`.accounts")
    status, body = request(
        served, "/transfer", {"op_id": "w1", "from": "1", "to": "2", "amount": "1"}
    )
    assert status == 409
    reply = json.loads(body)
    assert reply["status"] == "fail" and "1146" in reply["message"]


def test_a_restart_keeps_the_data_the_schema_is_only_created_once(
    wsgi_server: str, settings: ConnectionSettings, admin: AdminSession
) -> None:
    transfer = {"op_id": "w2", "from": "1", "to": "2", "amount": "5"}
    with AppServer("mysql_chaos_apps.wsgi:app", env_for(settings), server=wsgi_server) as first:
        assert request(first, "/transfer", transfer)[0] == 200
    with AppServer("mysql_chaos_apps.wsgi:app", env_for(settings), server=wsgi_server) as second:
        assert request(second, "/?city=London") == (200, 'City "London" is #312')
    rows = admin.query(f"SELECT id, balance FROM `{admin.database}`.accounts WHERE id <= 2")
    assert sorted((int(a), int(b)) for a, b in rows) == [(1, 995), (2, 1005)]
    assert admin.query(f"SELECT COUNT(*) FROM `{admin.database}`.city")[0][0] == 5


def test_tls_default_serves_too(wsgi_server: str, settings: ConnectionSettings) -> None:
    env = env_for(settings, "per-request", MYSQL_CHAOS_TLS="default")
    with AppServer("mysql_chaos_apps.wsgi:app", env, server=wsgi_server) as server:
        assert request(server, "/?city=London") == (200, 'City "London" is #312')


def test_a_bad_setting_stops_the_server_with_one_line(
    wsgi_server: str, settings: ConnectionSettings
) -> None:
    env = env_for(settings, MYSQL_CHAOS_TLS="sometimes")
    with pytest.raises(ServerError) as caught:
        AppServer("mysql_chaos_apps.wsgi:app", env, server=wsgi_server).start()
    assert (
        "mysql_chaos_apps.wsgi: MYSQL_CHAOS_TLS must be one of off, default, got 'sometimes'"
        in str(caught.value)
    )
    assert "Traceback" not in str(caught.value)


def test_stopping_leaves_no_process_of_the_server(
    wsgi_server: str, settings: ConnectionSettings
) -> None:
    server = AppServer("mysql_chaos_apps.wsgi:app", env_for(settings), server=wsgi_server).start()
    assert server.process is not None
    group = server.process.pid
    try:
        assert request(server, "/?city=London")[0] == 200
        # uWSGI: master, worker and HTTP router; gunicorn: arbiter and worker.
        assert len(_group_members(group)) >= 2
    finally:
        server.stop()
    assert _group_members(group) == []
