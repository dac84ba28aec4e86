"""ExternalServer addressed by URL: the suite's own server by default, or the opt-in
``MYSQL_CHAOS_EXTERNAL_URL`` (see conftest).

That server may be shared with everything else on a machine: the tests change only a harmless
variable, restore it, and kill only connections they opened themselves.
"""

from __future__ import annotations

import re

import pymysql
import pytest

from chaos.errors import CapabilityMissingError, ServerError
from chaos.ports import free_port
from chaos.servers.external import ExternalServer

from .support import scalar


def test_set_global_round_trip_is_restored(external_server):
    # max_connect_errors only matters after 100 failed handshakes from one host: harmless here.
    original = external_server.get_global("max_connect_errors")
    changed = int(original) + 1
    try:
        external_server.set_global("max_connect_errors", changed)
        assert external_server.get_global("max_connect_errors") == str(changed)
    finally:
        external_server.set_global("max_connect_errors", int(original))
    assert external_server.get_global("max_connect_errors") == original


def test_kill_connection_breaks_a_connection_the_test_opened(external_server, open_connection):
    victim = open_connection(external_server)
    bystander = open_connection(external_server)

    external_server.kill_connection(victim.thread_id())

    with pytest.raises(pymysql.err.OperationalError) as lost:
        scalar(victim, "SELECT 1")
    assert lost.value.args == (2013, "Lost connection to MySQL server during query")
    assert scalar(bystander, "SELECT 1") == 1


@pytest.mark.parametrize("verb", ["restart", "kill", "freeze", "thaw"])
def test_process_verbs_raise_capability_missing(external_server, verb):
    assert external_server.controls_process is False
    own_name = re.escape(external_server.describe())
    with pytest.raises(
        CapabilityMissingError, match=own_name + r": cannot \w+ a server it does not"
    ):
        getattr(external_server, verb)()


def test_stop_leaves_a_server_it_does_not_own_running(external_server):
    external_server.stop()
    assert external_server.query("SELECT 1") == [(1,)]


def test_start_of_an_unreachable_server_fails_naming_it():
    port = free_port()
    server = ExternalServer.from_url(f"mysql://root@127.0.0.1:{port}/test")
    with pytest.raises(ServerError, match=rf"external server 127\.0\.0\.1:{port}.*2003"):
        server.start()
