"""Children the suite starts with ``python -m`` import the suite, never a ``chaos/`` folder that
happens to sit where the run was started (a user's project, or a directory another user could
write): the embedded Toxiproxy in process mode and the app mode's load clients."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from chaos.appmode.load import HttpLoad
from chaos.appmode.user_load import UserRequests
from chaos.toxiproxy.embedded import EmbeddedToxiproxy
from chaos.workload.history import Phase


@pytest.fixture
def planted_chaos(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The current directory holds a ``chaos`` package that breaks whoever imports it."""
    package = tmp_path / "chaos"
    package.mkdir()
    (package / "__init__.py").write_text("raise ImportError('the planted chaos package')\n")
    (package / "toxiproxy").mkdir()
    (package / "toxiproxy" / "__init__.py").write_text("")
    monkeypatch.chdir(tmp_path)
    return package


def test_the_process_mode_proxy_starts_beside_a_planted_chaos_folder(planted_chaos):
    with EmbeddedToxiproxy(mode="process") as server:
        assert server.client().version()


def test_load_clients_start_beside_a_planted_chaos_folder(planted_chaos, tmp_path):
    # A socket nobody serves: each client starts, fails to connect and reports it; a client
    # that imported the planted package would exit before it reports anything.
    origin = time.monotonic()
    with HttpLoad(
        str(tmp_path / "nobody.sock"),
        UserRequests("/"),
        clients=1,
        pace=0.05,
        timeout=1.0,
        origin=origin,
    ) as load:
        operations = load.run(Phase.WARMUP, 0.1)
    assert operations and all(op.error_kind == "connection" for op in operations)
