"""One HTTP client process of an app cell: ``python -m chaos.appmode.load_client WORKDIR``.

Standard library only, so it starts in milliseconds. It reads orders from stdin, one JSON object
a line, and answers each phase with one JSON line on stdout:

- ``{"socket": PATH, "timeout": S, "pace": S}`` first: the app's Unix socket, how long a request may
  take before it counts as hung, and the pause between two requests' starts;
- then per phase ``{"start_at": T, "stop_at": T, "min_requests": N, "last_start": T,
  "ops": [...]}``: from ``start_at`` (monotonic seconds, shared by every process on the
  machine) it sends the planned operations in order, one every ``pace`` seconds; it starts none
  at or after ``stop_at`` unless fewer than ``min_requests`` went out, and none at all after
  ``last_start``; it answers ``{"ops": [...]}`` with what each request got (status, or the
  error that stood for an answer);
- EOF ends it.

A planned operation is the bank's (``kind`` transfer or read), a user's request (``method``,
``path``, ``body``, ``content_type``), or a call of the user's load function (``load``:
``module:function``, imported here once; see :mod:`chaos.appmode.user_load`).

``WORKDIR`` is not used: it names the owner on this process's command line, so the sweep finds
a client whose owner was killed with SIGKILL.
"""

from __future__ import annotations

import http.client
import importlib
import json
import os
import signal
import sys
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from chaos.appserver.unix_http import UnixHTTPConnection

#: ``error`` of a request that was not answered within the timeout (chaos.workload.history.HANG).
HANG = "hang"


_load_functions: dict[str, Callable[..., Any]] = {}


class LoadFunctionError(Exception):
    """The user's load function raised, or sent nothing: not an answer of the app's."""


def _answer(response: http.client.HTTPResponse) -> tuple[int, str]:
    return response.status, response.read()[:300].decode(errors="replace")


def _call_load(conn: http.client.HTTPConnection, op: dict[str, Any]) -> tuple[int, str]:
    spec = op["load"]
    if spec not in _load_functions:
        # The client runs with ``python -P`` (no chaos/ of the user's may stand in for the
        # suite's); the user's module is found where the command was started, searched last.
        if os.getcwd() not in sys.path:
            sys.path.append(os.getcwd())
        module, _, name = spec.partition(":")
        function: Any = importlib.import_module(module)
        for part in name.split("."):
            function = getattr(function, part)
        _load_functions[spec] = function
    answers: list[tuple[int, str]] = []

    def send(
        method: str, path: str, body: str | bytes | None = None, headers: dict | None = None
    ) -> tuple[int, str]:
        conn.request(method, path, body=body, headers=headers or {})
        answers.append(_answer(conn.getresponse()))
        return answers[-1]

    try:
        _load_functions[spec](send, op["op_id"])
    except (OSError, http.client.HTTPException):
        raise  # the app's connection failed: an answer like any other
    except Exception as e:
        raise LoadFunctionError(f"--load {spec} raised {type(e).__name__}: {e}") from e
    if not answers:
        raise LoadFunctionError(f"--load {spec} sent no request")
    return answers[-1]


def _send(conn: http.client.HTTPConnection, op: dict[str, Any]) -> tuple[int, str]:
    if "load" in op:
        return _call_load(conn, op)
    if "method" in op:
        headers = {"Content-Type": op["content_type"]} if op.get("content_type") else {}
        conn.request(op["method"], op["path"], body=op.get("body"), headers=headers)
        return _answer(conn.getresponse())
    if op["kind"] == "transfer":
        fields = {"op_id": op["op_id"], "from": op["from_id"], "to": op["to_id"]}
        body = urlencode({**fields, "amount": op["amount"]})
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        conn.request("POST", op["path"], body=body, headers=headers)
    else:
        conn.request("GET", op["path"])
    response = conn.getresponse()
    text = response.read()[:300].decode(errors="replace")
    return response.status, text


def _request(conn: http.client.HTTPConnection, op: dict[str, Any]) -> dict[str, Any]:
    invoke = time.monotonic()
    status: int | None = None
    error: str | None = None
    try:
        status, text = _send(conn, op)
        if status >= 400:
            error = f"HTTP {status}: {' '.join(text.split())[:200]}"
    except TimeoutError:
        error = HANG
    except (OSError, http.client.HTTPException, LoadFunctionError) as e:
        error = f"{type(e).__name__}: {e}"
    if status is None:
        conn.close()  # the next request opens a new connection
    return {**op, "invoke": invoke, "complete": time.monotonic(), "status": status, "error": error}


def _run_phase(conn: http.client.HTTPConnection, order: dict[str, Any], pace: float) -> list[Any]:
    done: list[dict[str, Any]] = []
    next_start = order["start_at"]
    for op in order["ops"]:
        if next_start >= order["stop_at"] and len(done) >= order["min_requests"]:
            break
        if done and next_start > order["last_start"]:
            break
        pause = next_start - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        done.append(_request(conn, op))
        next_start = max(next_start + pace, time.monotonic())
    return done


def main() -> None:
    # Ctrl-C is the owner's to handle: it stops its clients itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    setup = json.loads(sys.stdin.readline() or "null")
    if setup is None:
        return
    conn = UnixHTTPConnection(setup["socket"], timeout=setup["timeout"])
    try:
        for line in sys.stdin:
            done = _run_phase(conn, json.loads(line), setup["pace"])
            sys.stdout.write(json.dumps({"ops": done}) + "\n")
            sys.stdout.flush()
    finally:
        conn.close()


if __name__ == "__main__":
    main()
