"""Concurrent HTTP load from separate client processes, phase by phase, recorded as a history.

:class:`HttpLoad` starts its client processes once per cell (``python -m
chaos.appmode.load_client``) and hands each one the next phase's planned requests; every client
starts its phase at the same moment and answers with what each request got. The answers become
:class:`~chaos.workload.history.Operation` records in cell time, so the checker judges them like
the in-process driver's.

Two plans: :class:`BankRequests` (the seed's app: transfers with unique op ids on ``POST
/transfer``, reads on ``GET /?city=London``, the in-process workers' generator) and
:class:`~chaos.appmode.user_load.UserRequests` (a user's app: ``GET`` one path and the writes
the user names, judged from HTTP alone).
"""

from __future__ import annotations

import json
import math
import os
import selectors
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any, Protocol

from chaos import lifecycle
from chaos.appmode.outcome import classify_answer
from chaos.errors import ChaosError
from chaos.owner import owned_prefix
from chaos.workload.generator import WorkerPlan
from chaos.workload.history import HANG, Kind, Operation, Phase, Result

#: Clients get their order this long before the phase starts, so they all start together.
START_MARGIN_SECONDS = 0.05
_STOP_SECONDS = 5.0


class RequestPlan(Protocol):
    def next_request(self, worker: int) -> dict[str, Any]: ...


class BankRequests:
    """The bank workload over HTTP: worker ``w``'s transfers and reads, as in-process."""

    def __init__(self, transfer_path: str = "/transfer", read_path: str = "/?city=London"):
        self.transfer_path = transfer_path
        self.read_path = read_path
        self._plans: dict[int, WorkerPlan] = {}

    def next_request(self, worker: int) -> dict[str, Any]:
        planned = self._plans.setdefault(worker, WorkerPlan(worker)).next_operation()
        if planned.kind is Kind.READ:
            return {"op_id": planned.op_id, "kind": "read", "path": self.read_path}
        return {
            "op_id": planned.op_id,
            "kind": "transfer",
            "path": self.transfer_path,
            "from_id": planned.from_id,
            "to_id": planned.to_id,
            "amount": planned.amount,
        }


class HttpLoad(lifecycle.Resource):
    """``clients`` HTTP client processes against the app server listening on ``socket_path``
    (a Unix socket: see :mod:`chaos.appserver.unix_http`); :meth:`stop` ends them.

    ``preexec`` runs in each client before exec (entering the cell's network namespace).
    Times in the operations are seconds since ``origin`` (a ``time.monotonic()`` value).
    """

    def __init__(
        self,
        socket_path: str,
        plan: RequestPlan,
        *,
        clients: int,
        pace: float,
        timeout: float,
        origin: float,
        preexec: Callable[[], None] | None = None,
    ) -> None:
        self.socket_path = socket_path
        self.plan = plan
        self.clients = clients
        self.pace = pace
        self.timeout = timeout
        self.origin = origin
        self.preexec = preexec
        self._processes: list[subprocess.Popen[bytes]] = []
        self._workdir = ""
        self._cleanup_key: int | None = None

    def _start(self) -> None:
        self._workdir = tempfile.mkdtemp(prefix=owned_prefix("load"))
        self._cleanup_key = lifecycle.register_cleanup(self.stop)
        command = [sys.executable, "-P", "-m", "chaos.appmode.load_client", self._workdir + "/"]
        setup = {"socket": self.socket_path, "timeout": self.timeout, "pace": self.pace}
        for _ in range(self.clients):
            process = lifecycle.spawn(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                preexec=self.preexec,
            )
            self._processes.append(process)
            self._send(process, setup)

    def run(
        self, phase: Phase, seconds: float, min_requests: int = 0, longest: float | None = None
    ) -> list[Operation]:
        """Every client sends requests for ``seconds``, and at least ``min_requests`` of them
        unless ``longest`` seconds have passed (then it starts no more)."""
        start_at = time.monotonic() + START_MARGIN_SECONDS
        longest = max(seconds, longest if longest is not None else seconds)
        count = math.ceil(seconds / self.pace) + min_requests + 1
        for worker, process in enumerate(self._processes):
            ops = [self.plan.next_request(worker) for _ in range(count)]
            order = {
                "start_at": start_at,
                "stop_at": start_at + seconds,
                "min_requests": min_requests,
                "last_start": start_at + longest,
                "ops": ops,
            }
            self._send(process, order)
        # A client's last request may start just before the end and take the whole timeout.
        limit = start_at + longest + self.timeout + _STOP_SECONDS
        replies = self._collect(limit)
        operations = []
        for worker in range(self.clients):
            operations += [self._operation(worker, phase, raw) for raw in replies[worker]["ops"]]
        return operations

    def _operation(self, worker: int, phase: Phase, raw: dict[str, Any]) -> Operation:
        status = raw["status"]
        result = Result.UNKNOWN if status is None else classify_answer(status)
        error = raw["error"]
        if status is None:
            error_kind = "hang" if error == HANG else "connection"
        else:
            error_kind = f"http-{status}" if status >= 400 else None
        return Operation(
            op_id=raw["op_id"],
            worker=worker,
            kind=Kind(raw["kind"]),
            phase=phase,
            invoke=raw["invoke"] - self.origin,
            complete=raw["complete"] - self.origin,
            result=result,
            error=error,
            error_kind=error_kind,
            from_id=raw.get("from_id"),
            to_id=raw.get("to_id"),
            amount=raw.get("amount"),
        )

    def _send(self, process: subprocess.Popen[bytes], message: dict[str, Any]) -> None:
        assert process.stdin is not None
        process.stdin.write(json.dumps(message).encode() + b"\n")
        process.stdin.flush()

    def _collect(self, limit: float) -> dict[int, dict[str, Any]]:
        replies: dict[int, dict[str, Any]] = {}
        buffers = {worker: b"" for worker in range(self.clients)}
        with selectors.DefaultSelector() as selector:
            for worker, process in enumerate(self._processes):
                assert process.stdout is not None
                selector.register(process.stdout, selectors.EVENT_READ, worker)
            while len(replies) < self.clients:
                remaining = limit - time.monotonic()
                events = selector.select(timeout=max(0.0, remaining)) if remaining > 0 else []
                if not events:
                    raise ChaosError(f"HTTP clients did not report within {limit:.0f} s")
                for key, _ in events:
                    worker = key.data
                    # The raw descriptor: a buffered read could keep bytes select() cannot see.
                    chunk = os.read(key.fd, 65536)
                    if not chunk:
                        raise ChaosError(f"HTTP client {worker} exited unexpectedly")
                    buffers[worker] += chunk
                    if buffers[worker].endswith(b"\n"):
                        replies[worker] = json.loads(buffers[worker])
                        buffers[worker] = b""
                        selector.unregister(key.fileobj)
        return replies

    def stop(self) -> None:
        """End every client (EOF, then SIGKILL after a grace period); idempotent."""
        processes, self._processes = self._processes, []
        for process in processes:
            if process.stdin is not None:
                try:
                    process.stdin.close()
                except OSError:
                    pass
        for process in processes:
            try:
                process.wait(_STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stdout is not None:
                process.stdout.close()
        if self._cleanup_key is not None:
            lifecycle.unregister_cleanup(self._cleanup_key)
            self._cleanup_key = None
        if self._workdir:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = ""
