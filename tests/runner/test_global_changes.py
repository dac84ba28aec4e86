"""Faults that change GLOBAL variables keep their hands off servers the suite does not own.

The "external" server here is a disposable LocalServer addressed only by URL, as a CI service
container would be: the suite treats it as not its own, and the test can still check it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chaos.errors import FaultError
from chaos.faults.base import FaultTarget
from chaos.faults.sql_faults import IdleTimeoutFault
from chaos.runner.cell import run_cell
from chaos.runner.environment import Backend
from chaos.runner.timing import CellTiming
from chaos.servers.external import ExternalServer
from chaos.servers.local import LocalServer
from chaos.strategy import strategies
from chaos.verdicts.cell_result import CellResult

ORIGINAL = "12345"  # not any server's default: a value only a correct restore brings back
PASSWORD = "ext-s3cret"


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with LocalServer(name="mysql-chaos-external") as local:
        local.query(f"CREATE USER 'ext'@'%' IDENTIFIED BY '{PASSWORD}'")
        local.query("GRANT ALL PRIVILEGES ON *.* TO 'ext'@'%'")
        yield local


@pytest.fixture
def url(server: LocalServer) -> str:
    server.set_global("wait_timeout", int(ORIGINAL))
    return f"mysql://ext:{PASSWORD}@127.0.0.1:{server.port}/test"


def _cell(url: str, *, allow: bool, strategy: str = "safe", factory=None) -> CellResult:  # type: ignore[no-untyped-def]
    return run_cell(
        strategy,
        factory or strategies().get(strategy),
        IdleTimeoutFault,
        backend=Backend(external_url=url, allow_global_changes=allow),
        toxiproxy=None,
        timing=CellTiming(),
    )


def test_idle_timeout_on_an_external_server_is_skipped_pre_flight_without_the_flag(
    server: LocalServer, url: str
) -> None:
    result = _cell(url, allow=False)
    assert result.skipped is not None
    assert "GLOBAL" in result.skipped and "--allow-global-changes" in result.skipped
    assert server.get_global("wait_timeout") == ORIGINAL


def test_with_the_flag_it_runs_and_restores_wait_timeout(server: LocalServer, url: str) -> None:
    result = _cell(url, allow=True)
    assert result.verdict == "pass", result.error
    assert server.get_global("wait_timeout") == ORIGINAL


def test_wait_timeout_is_restored_when_the_strategy_raises_mid_cell(
    server: LocalServer, url: str
) -> None:
    def broken_factory(config):  # type: ignore[no-untyped-def]
        # Raised after prepare() lowered wait_timeout, before any inject or heal.
        raise RuntimeError("strategy blew up")

    result = _cell(url, allow=True, strategy="broken", factory=broken_factory)
    assert result.verdict == "error" and "strategy blew up" in (result.error or "")
    assert server.get_global("wait_timeout") == ORIGINAL


def test_wait_timeout_is_restored_when_the_fault_itself_raises(
    server: LocalServer, url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def inject_fails(self: IdleTimeoutFault) -> None:
        raise FaultError("idle-timeout: sessions never closed")

    monkeypatch.setattr(IdleTimeoutFault, "_inject", inject_fails)
    result = _cell(url, allow=True)
    assert result.error == "idle-timeout: sessions never closed"
    assert server.get_global("wait_timeout") == ORIGINAL


def _target(url: str, allow: bool) -> FaultTarget:
    external = ExternalServer.from_url(url)
    return FaultTarget(
        server=external,
        client_settings=external.settings,
        admin_settings=external.settings,
        allow_global_changes=allow,
    )


def test_a_fault_refuses_to_change_a_global_of_a_server_it_does_not_own(
    server: LocalServer, url: str
) -> None:
    with pytest.raises(FaultError, match="refusing to change GLOBAL wait_timeout"):
        IdleTimeoutFault(_target(url, allow=False)).prepare()
    assert server.get_global("wait_timeout") == ORIGINAL


def test_parallel_faults_on_one_server_restore_the_true_original_after_the_last(
    server: LocalServer, url: str
) -> None:
    first = IdleTimeoutFault(_target(url, allow=True))
    second = IdleTimeoutFault(_target(url, allow=True))
    first.prepare()
    second.prepare()  # must not take first's wait_timeout=1 for the original
    first.close()
    assert server.get_global("wait_timeout") == "1"  # second still needs it
    second.close()
    assert server.get_global("wait_timeout") == ORIGINAL
