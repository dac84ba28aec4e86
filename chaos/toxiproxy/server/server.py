"""The embedded Toxiproxy server: the HTTP API and the proxies it manages, on one event loop."""

from __future__ import annotations

import asyncio
import errno
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from chaos import __version__
from chaos.errors import PortInUseError, UsageError
from chaos.toxiproxy.server import address
from chaos.toxiproxy.server.api import Api
from chaos.toxiproxy.server.collection import ProxyCollection
from chaos.toxiproxy.server.errors import ApiError
from chaos.toxiproxy.server.http import HttpServer, listening_socket
from chaos.toxiproxy.server.metrics import Metrics
from chaos.toxiproxy.server.shutdown import stop_on_signals

log = logging.getLogger(__name__)

#: The Toxiproxy release whose API this server answers; the build suffix tells it apart.
VERSION = f"2.12.0+mysql-chaos.{__version__}"


def new_event_loop() -> asyncio.AbstractEventLoop:
    """uvloop's loop where it is installed (it relays bytes with less overhead), else asyncio's."""
    try:
        import uvloop
    except ImportError:
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def load_config(path: Path) -> Any:
    """A ``-config`` file: a JSON list of proxies, as ``POST /populate`` takes."""
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise UsageError(f"cannot read Toxiproxy config {path}: {e.strerror}") from e
    except (ValueError, RecursionError) as e:
        raise UsageError(f"Toxiproxy config {path} is not valid JSON: {e}") from e
    if not isinstance(value, list):
        raise UsageError(f"Toxiproxy config {path} must be a JSON list of proxies")
    return value


class ToxiproxyServer:
    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 8474,
        proxy_metrics: bool = False,
        runtime_metrics: bool = False,
        *,
        secret: str | None = None,
        allow_any_listen: bool = False,
    ) -> None:
        """``secret``: every API request must carry it (``api``); ``allow_any_listen``: proxies
        may listen outside loopback and on privileged ports (``address.check_listen``)."""
        self.host = host
        self.port = port
        self.collection = ProxyCollection(allow_any_listen)
        metrics = Metrics(self.collection, proxy_metrics, runtime_metrics)
        render = metrics.render if metrics.enabled else None
        self._http = HttpServer(Api(self.collection, VERSION, render, secret).handle)

    @property
    def url(self) -> str:
        return f"http://{address.join_host_port(self.host, self.port)}"

    async def start(self) -> None:
        """Listen for the API; a taken port is a :class:`PortInUseError`."""
        try:
            sock = listening_socket(self.host, self.port)
        except OSError as e:
            where = address.join_host_port(self.host, self.port)
            if e.errno == errno.EADDRINUSE:
                raise PortInUseError(
                    f"toxiproxy-server cannot listen on {where}: port already in use"
                ) from e
            raise PortInUseError(f"toxiproxy-server cannot listen on {where}: {e}") from e
        self.host, self.port = sock.getsockname()[:2]
        await self._http.start(sock)
        log.info("toxiproxy API listening on %s", self.url)

    async def populate(self, proxies: Any, source: str = "config") -> None:
        created, error = await self.collection.populate(proxies)
        if error is not None:
            raise UsageError(f"{source}: {error.message}")
        log.info("populated %d proxies from %s", len(created), source)

    async def stop(self) -> None:
        await self._http.stop()
        await self.collection.clear()


async def _serve(
    host: str,
    port: int,
    config: Path | None,
    on_ready: Callable[[str], None],
    proxy_metrics: bool,
    runtime_metrics: bool,
    secret: str | None,
    allow_any_listen: bool,
) -> None:
    server = ToxiproxyServer(
        host,
        port,
        proxy_metrics,
        runtime_metrics,
        secret=secret,
        allow_any_listen=allow_any_listen,
    )
    await server.start()
    try:
        if config is not None:
            try:
                await server.populate(load_config(config), source=str(config))
            except ApiError as e:  # pragma: no cover - populate reports through UsageError
                raise UsageError(f"{config}: {e.message}") from e
        stop = asyncio.Event()
        stop_on_signals(asyncio.get_running_loop(), stop.set)
        on_ready(server.url)
        await stop.wait()
    finally:
        await server.stop()


def serve(
    host: str = "127.0.0.1",
    port: int = 8474,
    config: Path | None = None,
    on_ready: Callable[[str], None] = lambda url: None,
    proxy_metrics: bool = False,
    runtime_metrics: bool = False,
    secret: str | None = None,
    allow_any_listen: bool = False,
) -> None:
    """Run a server in this thread until SIGINT or SIGTERM; ``on_ready`` gets its URL (without
    the secret). ``/metrics`` answers when either kind of metrics is on (Toxiproxy's
    ``-proxy-metrics`` and ``-runtime-metrics``); see :class:`ToxiproxyServer` for the rest."""
    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        runner.run(
            _serve(
                host,
                port,
                config,
                on_ready,
                proxy_metrics,
                runtime_metrics,
                secret,
                allow_any_listen,
            )
        )
