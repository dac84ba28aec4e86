"""What one pytest process shares: its options and one Toxiproxy, started on first use.

The Toxiproxy is the real one the options name, or an embedded one in a child process (its own
GIL, as the real one has), started by the first test or matrix cell that needs a proxy and
stopped when the session ends. Under pytest-xdist every worker is its own pytest process, so
every worker gets its own embedded proxy and none is shared between processes.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

import pytest

from chaos.errors import ToxiproxyError
from chaos.pytest_plugin.options import PluginOptions

if TYPE_CHECKING:
    from chaos.toxiproxy import EmbeddedToxiproxy, ToxiproxyClient


class ProcessToxiproxy:
    def __init__(self, url: str | None) -> None:
        self.url = url
        self.embedded: EmbeddedToxiproxy | None = None
        self._client: ToxiproxyClient | None = None
        self._lock = threading.Lock()

    def client(self) -> ToxiproxyClient:
        with self._lock:
            if self._client is None:
                self._client = self._open()
            return self._client

    def _open(self) -> ToxiproxyClient:
        from chaos.toxiproxy import EmbeddedToxiproxy, ToxiproxyClient

        if self.url:
            client = ToxiproxyClient(self.url)
            try:
                client.version()
            except ToxiproxyError as e:
                shown = client.display_url
                raise ToxiproxyError(f"--toxiproxy-url {shown} does not answer: {e}") from e
            return client
        self.embedded = EmbeddedToxiproxy(mode="process").start()
        return self.embedded.client()

    def close(self) -> None:
        with self._lock:
            embedded, self.embedded, self._client = self.embedded, None, None
        if embedded is not None:
            embedded.stop()


class ProcessResources:
    def __init__(self, options: PluginOptions) -> None:
        self.options = options
        self.toxiproxy = ProcessToxiproxy(options.toxiproxy_url)

    def close(self) -> None:
        self.toxiproxy.close()


RESOURCES = pytest.StashKey[ProcessResources]()


def resources(config: pytest.Config) -> ProcessResources:
    """What this process shares; asked for by every fixture and matrix item before it starts
    anything. From then on SIGTERM stops the run as Ctrl-C does, with every teardown."""
    from chaos import lifecycle

    lifecycle.interrupt_on_sigterm()
    return config.stash[RESOURCES]
