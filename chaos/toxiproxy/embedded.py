"""The embedded Toxiproxy-compatible server as a start/stop resource, and the environment switch.

Two modes: ``thread`` runs the server's event loop in a daemon thread of this process (cheap, and
its internals can be inspected); ``process`` runs ``python -m chaos.toxiproxy`` as a child with its
own GIL (what benchmarks and GIL-heavy clients want), killed with its owner.

Its API listens on loopback TCP, which every local user can reach; so each start makes a new
random secret that the server demands of every request (401 without it) and :attr:`url`
carries as HTTP Basic credentials. The child of process mode reads it from a pipe on its stdin,
never from its command line (world-readable in /proc). Proxies listen on loopback only, above
the privileged ports.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import os
import re
import secrets
import selectors
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from typing import IO, Any, TypeVar

from chaos.errors import ToxiproxyError, UsageError
from chaos.lifecycle import Resource, die_with_parent, register_cleanup, unregister_cleanup
from chaos.ports import ensure_port_free
from chaos.toxiproxy.client import ToxiproxyClient, redact_url, url_with_secret
from chaos.toxiproxy.server import ToxiproxyServer, new_event_loop

log = logging.getLogger(__name__)

START_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0
MODES = ("thread", "process")
_READY = re.compile(rb"listening on (http://\S+)")

T = TypeVar("T")


class _ThreadRunner:
    def __init__(self, proxy_metrics: bool = False, runtime_metrics: bool = False) -> None:
        self._metrics = (proxy_metrics, runtime_metrics)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: ToxiproxyServer | None = None

    def start(self, host: str, port: int, secret: str | None) -> str:
        ready: concurrent.futures.Future[str] = concurrent.futures.Future()
        self._loop = new_event_loop()
        self._thread = threading.Thread(
            target=self._run,
            args=(host, port, secret, ready),
            name="embedded-toxiproxy",
            daemon=True,
        )
        self._thread.start()
        return ready.result(timeout=START_TIMEOUT)

    def _run(
        self, host: str, port: int, secret: str | None, ready: concurrent.futures.Future[str]
    ) -> None:
        loop = self._loop
        assert loop is not None
        asyncio.set_event_loop(loop)
        try:
            server = ToxiproxyServer(host, port, *self._metrics, secret=secret)
            try:
                loop.run_until_complete(server.start())
            except BaseException as e:
                ready.set_exception(e)
                return
            self._server = server
            ready.set_result(server.url)
            loop.run_forever()
        finally:
            try:
                tasks = asyncio.all_tasks(loop)
                for task in tasks:
                    task.cancel()
                if tasks:
                    loop.run_until_complete(asyncio.wait(tasks))
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.run_until_complete(loop.shutdown_default_executor())
            finally:
                asyncio.set_event_loop(None)
                loop.close()

    def call(self, function: Callable[[], Coroutine[Any, Any, T]]) -> T:
        """Run ``function()`` on the server's loop and return its result."""
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(function(), self._loop).result(STOP_TIMEOUT)

    def stop(self) -> None:
        thread, loop, server = self._thread, self._loop, self._server
        self._thread = self._server = None
        if thread is None or loop is None:
            return
        if thread.is_alive() and server is not None:
            try:
                asyncio.run_coroutine_threadsafe(server.stop(), loop).result(STOP_TIMEOUT)
            except Exception:  # stopping must go on: the loop is closed below either way
                log.exception("embedded toxiproxy did not stop cleanly")
        if thread.is_alive():
            with contextlib.suppress(RuntimeError):  # the loop closed on its own meanwhile
                loop.call_soon_threadsafe(loop.stop)
            thread.join(STOP_TIMEOUT)
        if thread.is_alive():
            raise ToxiproxyError("embedded toxiproxy thread did not stop")


class _ProcessRunner:
    def __init__(self, proxy_metrics: bool = False, runtime_metrics: bool = False) -> None:
        self._flags = [
            flag
            for flag, on in (
                ("--proxy-metrics", proxy_metrics),
                ("--runtime-metrics", runtime_metrics),
            )
            if on
        ]
        self.process: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self._cleanup_key: int | None = None

    def start(self, host: str, port: int, secret: str | None) -> str:
        if port:
            ensure_port_free(host, port)
        self._stderr = tempfile.TemporaryFile()
        command = [
            sys.executable,
            "-P",
            "-m",
            "chaos.toxiproxy",
            "--host",
            host,
            "--port",
            str(port),
        ]
        command += self._flags
        if secret is not None:
            command.append("--api-secret-stdin")
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE if secret is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            preexec_fn=die_with_parent,
            # Its own session: Ctrl-C of the process group leaves it to this process, which
            # still heals faults through it before stopping it.
            start_new_session=True,
        )
        self._cleanup_key = register_cleanup(self.stop)
        if self.process.stdin is not None:
            # A few bytes into an empty pipe: never blocks. A child that died first is
            # reported by _wait_ready with its own words.
            with contextlib.suppress(BrokenPipeError):
                self.process.stdin.write(f"{secret}\n".encode())
            with contextlib.suppress(BrokenPipeError):
                self.process.stdin.close()
        return self._wait_ready()

    def _wait_ready(self) -> str:
        assert self.process is not None and self.process.stdout is not None
        output = b""
        # Not a poll (chaos.waiting): the child's output is awaited with select() for the time
        # left, so the address it prints is read the moment it is written.
        deadline = time.monotonic() + START_TIMEOUT
        with selectors.DefaultSelector() as selector:
            selector.register(self.process.stdout, selectors.EVENT_READ)
            while (match := _READY.search(output)) is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise ToxiproxyError(f"embedded toxiproxy did not start in {START_TIMEOUT}s")
                if selector.select(remaining):
                    data = os.read(self.process.stdout.fileno(), 4096)
                    if not data:
                        raise ToxiproxyError(f"embedded toxiproxy failed to start: {self._why()}")
                    output += data
        return match.group(1).decode()

    def _why(self) -> str:
        code = self.process.wait(STOP_TIMEOUT) if self.process is not None else None
        text = b""
        if self._stderr is not None:
            self._stderr.seek(0)
            text = self._stderr.read()
        lines = [line for line in text.decode(errors="replace").splitlines() if line.strip()]
        return lines[-1] if lines else f"exit code {code}"

    def stop(self) -> None:
        process, self.process = self.process, None
        if self._cleanup_key is not None:
            unregister_cleanup(self._cleanup_key)
            self._cleanup_key = None
        if process is not None:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(STOP_TIMEOUT)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            if process.stdout is not None:
                process.stdout.close()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None


class EmbeddedToxiproxy(Resource):
    """An embedded Toxiproxy-compatible server with ``start()``/``stop()`` and ``with``.

    ``proxy_metrics``/``runtime_metrics`` serve ``/metrics`` as Toxiproxy's flags of those names.
    ``url`` carries the API's secret (pass it only to the run's own clients); ``display_url``
    is the same without it, to print. ``auth=False`` serves the API without a secret, open to
    every local user as a real Toxiproxy's is.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        mode: str = "thread",
        proxy_metrics: bool = False,
        runtime_metrics: bool = False,
        auth: bool = True,
    ) -> None:
        if mode not in MODES:
            raise UsageError(
                f"unknown embedded Toxiproxy mode {mode!r}; valid modes: thread, process"
            )
        self.host = host
        self.port = port
        self.mode = mode
        self.metrics = (proxy_metrics, runtime_metrics)
        self.auth = auth
        self.url = ""
        self.display_url = ""
        self._runner: _ThreadRunner | _ProcessRunner | None = None

    def __repr__(self) -> str:
        return f"EmbeddedToxiproxy({self.display_url or 'stopped'}, mode={self.mode!r})"

    def _start(self) -> None:
        if self._runner is not None:
            return
        runner = _ThreadRunner if self.mode == "thread" else _ProcessRunner
        self._runner = runner(*self.metrics)
        secret = secrets.token_urlsafe(32) if self.auth else None
        self.display_url = self._runner.start(self.host, self.port, secret)
        self.url = url_with_secret(self.display_url, secret) if secret else self.display_url
        log.info("embedded toxiproxy (%s) at %s", self.mode, self.display_url)

    def stop(self) -> None:
        runner, self._runner = self._runner, None
        self.url = self.display_url = ""
        if runner is not None:
            runner.stop()

    def client(self, timeout: float = 5.0) -> ToxiproxyClient:
        if not self.url:
            raise ToxiproxyError("embedded toxiproxy is not running")
        return ToxiproxyClient(self.url, timeout=timeout)

    @property
    def pid(self) -> int:
        """The process serving the proxies (this one in thread mode)."""
        if isinstance(self._runner, _ProcessRunner) and self._runner.process is not None:
            return self._runner.process.pid
        return os.getpid()

    def task_count(self) -> int:
        """Tasks alive on the server's event loop (thread mode; for leak checks)."""
        if not isinstance(self._runner, _ThreadRunner):
            raise UsageError("task_count() needs an embedded Toxiproxy in thread mode")

        async def count() -> int:
            return len(asyncio.all_tasks()) - 1  # not this one

        return self._runner.call(count)


@contextlib.contextmanager
def toxiproxy_from_environment(mode: str = "process") -> Iterator[ToxiproxyClient]:
    """A client for ``TOXIPROXY_URL`` when it is set (it must answer ``/version``), else for an
    embedded server started for the block. The default mode is ``process``: the proxy then has
    its own GIL, as the real Toxiproxy has its own process."""
    url = os.environ.get("TOXIPROXY_URL", "").strip()
    if url:
        try:
            client = ToxiproxyClient(url)
            client.version()
        except ToxiproxyError as e:
            shown = redact_url(url)
            raise ToxiproxyError(f"TOXIPROXY_URL={shown} does not answer as Toxiproxy: {e}") from e
        yield client
        return
    with EmbeddedToxiproxy(mode=mode) as embedded:
        yield embedded.client()
