"""The load ``check-app`` sends a user's app: ``GET --url``, the ``--request``s, or ``--load``.

A load of GETs never meets the faults that strike writes (mid-transaction-drop,
ambiguous-commit, deadlock): they would say they never struck. So the user names the writes
their app takes:

- ``--request 'POST /orders'`` (repeatable), each with a ``--body`` and a ``--content-type``:
  none, one for every request that is not a GET or HEAD, or one per ``--request``, in order.
  ``{op_id}`` in a path or body becomes the request's unique id (``w0-3``), for an app that
  wants an idempotency key. The requests go out in turn with ``GET --url`` between them.
- ``--load module:function``: the function is called once per request a client sends, as
  ``function(send, op_id)``; ``send(method, path, body=None, headers=None)`` sends one request
  over the client's connection and returns ``(status, text)``; the request's outcome is the
  last answer ``send`` got. It runs in the load's client processes (the command's directory is
  on their ``sys.path``), so it is imported there by name, never passed.

Bad input is one :class:`~chaos.errors.UsageError` line, before anything starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from chaos.errors import UsageError
from chaos.strategy.loading import import_object

#: Methods a ``--request`` may name; GET and HEAD carry no body.
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
BODILESS = ("GET", "HEAD")
DEFAULT_CONTENT_TYPE = "application/json"
OP_ID = "{op_id}"


@dataclass(frozen=True)
class HttpRequest:
    """One request of the user's load."""

    method: str
    path: str
    body: str | None = None
    content_type: str | None = None

    @property
    def writes(self) -> bool:
        return self.method not in BODILESS

    def planned(self, op_id: str) -> dict[str, Any]:
        """The order a load client sends (:mod:`chaos.appmode.load_client`)."""
        return {
            "op_id": op_id,
            "kind": "write" if self.writes else "read",
            "method": self.method,
            "path": self.path.replace(OP_ID, op_id),
            "body": None if self.body is None else self.body.replace(OP_ID, op_id),
            "content_type": self.content_type,
        }


def parse_request(text: str) -> HttpRequest:
    """``'POST /orders'`` as a request; a :class:`UsageError` says what is wrong."""
    method, _, path = text.strip().partition(" ")
    if method.upper() not in METHODS or not path.strip():
        raise UsageError(
            f"--request must look like 'METHOD /path' with METHOD one of {', '.join(METHODS)}, "
            f"got {text!r}"
        )
    path = path.strip()
    parts = urlsplit(path)
    if not path.startswith("/") or parts.scheme or parts.netloc or any(c.isspace() for c in path):
        raise UsageError(f"--request {text!r}: the path must look like /orders?x=1")
    return HttpRequest(method.upper(), path)


def _per_request(
    option: str, values: tuple[str, ...], requests: list[HttpRequest]
) -> list[str | None]:
    """One value per request: none, one for every write, or one per request in order."""
    writes = [request for request in requests if request.writes]
    if not values:
        return [None] * len(requests)
    if not writes:
        raise UsageError(f"{option} needs a --request that is not GET or HEAD")
    if len(values) == 1:
        return [values[0] if request.writes else None for request in requests]
    if len(values) != len(requests):
        raise UsageError(
            f"{option} given {len(values)} times for {len(requests)} --request: give it once "
            "(every write gets it) or once per --request, in order"
        )
    for request, value in zip(requests, values, strict=True):
        if value and not request.writes:
            raise UsageError(f"{option} {value!r} given for {request.method} {request.path}")
    return list(values)


def build_requests(
    requests: tuple[str, ...], bodies: tuple[str, ...], content_types: tuple[str, ...]
) -> tuple[HttpRequest, ...]:
    """The ``--request``s with their ``--body`` and ``--content-type``."""
    if (bodies or content_types) and not requests:
        raise UsageError("--body and --content-type go with a --request")
    parsed = [parse_request(text) for text in requests]
    body_of = _per_request("--body", bodies, parsed)
    type_of = _per_request("--content-type", content_types, parsed)
    for content_type in content_types:
        if not content_type or "/" not in content_type or any(c.isspace() for c in content_type):
            raise UsageError(f"--content-type must look like type/subtype, got {content_type!r}")
    built = []
    for request, body, content_type in zip(parsed, body_of, type_of, strict=True):
        if body is not None and request.writes:
            content_type = content_type or DEFAULT_CONTENT_TYPE
        built.append(HttpRequest(request.method, request.path, body, content_type))
    return tuple(built)


def check_load_function(spec: str) -> str:
    """``module:function`` that imports here and is callable (imported again by each client)."""
    target = import_object(spec, what="--load", shape="module:function")
    if not callable(target):
        raise UsageError(f"--load {spec}: a {type(target).__name__}, not a function")
    return spec


class UserRequests:
    """A user's app's load: ``GET path``, then each of ``requests`` in turn, or ``load``'s
    calls; ids ``w<worker>-<n>`` as the bank's."""

    def __init__(
        self, path: str, requests: tuple[HttpRequest, ...] = (), load: str | None = None
    ) -> None:
        self.load = load
        self.cycle = () if load else (HttpRequest("GET", path), *requests)
        self._issued: dict[int, int] = {}

    def next_request(self, worker: int) -> dict[str, Any]:
        issued = self._issued[worker] = self._issued.get(worker, 0) + 1
        op_id = f"w{worker}-{issued}"
        if self.load is not None:
            return {"op_id": op_id, "kind": "write", "load": self.load}
        # Workers start at different places in the cycle, so every phase has writes.
        return self.cycle[(worker + issued - 1) % len(self.cycle)].planned(op_id)
