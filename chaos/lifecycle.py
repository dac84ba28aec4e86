"""Nothing outlives the run: process-wide cleanup of everything a run starts.

Three layers, because each covers a way of dying the one before cannot:

- context managers and ``try/finally`` in the owners (normal exit, exceptions, Ctrl-C), the
  owners of a process, socket or namespace built on :class:`Resource`;
- :func:`register_cleanup`: LIFO callbacks run at interpreter exit, with SIGTERM turned into a
  normal exit so they run then too;
- :func:`die_with_parent`: children get ``PR_SET_PDEATHSIG`` = SIGKILL, so a server whose owner is
  killed with SIGKILL (no Python code runs) dies with it.
"""

from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import logging
import os
import signal
import subprocess
import threading
from collections.abc import Callable
from typing import Self

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)

_lock = threading.Lock()
_callbacks: dict[int, Callable[[], None]] = {}
_next_key = 0
_installed = False


class Resource:
    """Something that owns a process, socket or namespace: ``start``/``stop`` and a context
    manager, as testcontainers' containers.

    A subclass writes :meth:`_start` and :meth:`stop`. :meth:`start` runs ``_start`` and, when
    that fails (Ctrl-C included), runs ``stop`` before the error goes on, so a half-started
    resource leaves nothing behind; ``stop`` must therefore be idempotent and safe after a start
    that stopped anywhere. A ``_start`` that finds the resource already running returns at once.
    """

    def start(self) -> Self:
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def die_with_parent(parent: int | None = None) -> None:
    """``preexec_fn`` for subprocesses: SIGKILL this child when its parent thread dies.

    Linux delivers the signal when the *thread* that forked exits, so long-lived resources are
    started from threads that outlive them (the main thread, or a worker that stops them first).
    The kernel clears the setting whenever the child's effective uid or gid changes, so call this
    after any such change. ``parent`` is the pid that forked; without it, being adopted by init
    is the only sign of an orphan.
    """
    if _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    # The parent may have died before prctl: then we are already orphaned (perhaps adopted by a
    # subreaper, hence the comparison with the known parent when there is one).
    orphaned = os.getppid() != parent if parent is not None else os.getppid() == 1
    if orphaned:
        os._exit(1)


def register_cleanup(callback: Callable[[], None]) -> int:
    """Run ``callback`` at exit (also after SIGTERM) unless unregistered first; returns a key."""
    global _next_key
    _install_handlers()
    with _lock:
        _next_key += 1
        _callbacks[_next_key] = callback
        return _next_key


def unregister_cleanup(key: int) -> None:
    with _lock:
        _callbacks.pop(key, None)


def run_cleanups() -> None:
    """Run every registered callback, newest first; errors are logged, never raised."""
    while True:
        with _lock:
            if not _callbacks:
                return
            key = max(_callbacks)
            callback = _callbacks.pop(key)
        try:
            callback()
        except Exception:  # cleanup must go on whatever one callback does
            log.exception("cleanup callback failed")


def _on_sigterm(signum: int, frame: object) -> None:
    # SystemExit unwinds the main thread through every finally block, then atexit runs.
    raise SystemExit(128 + signum)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def interrupt_on_sigterm() -> None:
    """From now on SIGTERM is Ctrl-C: for hosts such as pytest, which stop the whole run on
    ``KeyboardInterrupt`` (running every teardown) but count a ``SystemExit`` raised inside a
    test as that test's failure and go on to the next one, starting new servers."""
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None, _on_sigterm):
        signal.signal(signal.SIGTERM, _interrupt)


def _install_handlers() -> None:
    global _installed
    if _installed:
        return
    _installed = True
    atexit.register(run_cleanups)
    if threading.current_thread() is threading.main_thread():
        if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
            signal.signal(signal.SIGTERM, _on_sigterm)


class _Spawner:
    """Starts every child from one long-lived thread.

    PR_SET_PDEATHSIG fires when the forking *thread* exits; a server restarted from a short-lived
    thread (a timer, a cell worker) would otherwise be killed the moment that thread ends.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._requests: list[tuple[Callable[[], object], list[object], threading.Event]] = []
        self._wakeup = threading.Condition(self._lock)

    def call(self, function: Callable[[], object]) -> object:
        done = threading.Event()
        box: list[object] = []
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._loop, name="mysql-chaos-spawner", daemon=True
                )
                self._thread.start()
            self._requests.append((function, box, done))
            self._wakeup.notify()
        done.wait()
        result = box[0]
        if isinstance(result, BaseException):
            raise result
        return result

    def _loop(self) -> None:
        while True:
            with self._lock:
                while not self._requests:
                    self._wakeup.wait()
                function, box, done = self._requests.pop(0)
            try:
                box.append(function())
            except BaseException as e:  # handed back to the caller's thread
                box.append(e)
            done.set()


_spawner = _Spawner()


def spawn(args: list[str], **popen_kwargs: object) -> subprocess.Popen[bytes]:
    """``subprocess.Popen`` from the spawner thread, killed with SIGKILL if this process dies.

    ``preexec`` in ``popen_kwargs`` (a callable) runs in the child before exec and *before* the
    parent-death signal is armed, because it may enter a namespace (which needs the privileges it
    may then drop) and change the uid (which clears the signal).

    The child gets a session of its own: a terminal's Ctrl-C, or a SIGTERM sent to the whole
    process group (as CI runners cancel a job), reaches only this process, which then stops its
    children in order: a fault heals through its proxy and servers before they go.
    """
    popen_kwargs.setdefault("start_new_session", True)
    extra = popen_kwargs.pop("preexec", None)
    parent = os.getpid()

    def preexec() -> None:
        if extra is not None:
            extra()  # type: ignore[operator]
        die_with_parent(parent)

    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen(args, preexec_fn=preexec, **popen_kwargs)  # type: ignore[call-overload]

    return _spawner.call(start)  # type: ignore[return-value]
