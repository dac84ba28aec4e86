"""Every error the HTTP API answers with, in one table (Toxiproxy's ``api.go`` error variables).

A row is an :class:`ApiErrorKind`; calling it makes the :class:`ApiError` to raise, optionally
joined with a detail the way upstream's ``joinError`` does (``"bad request body: EOF"``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class ApiError(Exception):
    """An error answered as ``{"error": message, "status": status}`` with that HTTP status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status

    def to_json(self) -> dict[str, Any]:
        return {"error": self.message, "status": self.status}


@dataclass(frozen=True)
class ApiErrorKind:
    message: str
    status: int

    def __call__(self, detail: str | None = None) -> ApiError:
        if detail is None:
            return ApiError(self.message, self.status)
        return ApiError(f"{self.message}: {detail}", self.status)


BAD_REQUEST_BODY = ApiErrorKind("bad request body", 400)
MISSING_FIELD = ApiErrorKind("missing required field", 400)
PROXY_NOT_FOUND = ApiErrorKind("proxy not found", 404)
PROXY_ALREADY_EXISTS = ApiErrorKind("proxy already exists", 409)
INVALID_STREAM = ApiErrorKind("stream was invalid, can be either upstream or downstream", 400)
INVALID_TOXIC_TYPE = ApiErrorKind("invalid toxic type", 400)
TOXIC_ALREADY_EXISTS = ApiErrorKind("toxic already exists", 409)
TOXIC_NOT_FOUND = ApiErrorKind("toxic not found", 404)
# Extensions of this server (a real Toxiproxy has no authentication and no limits).
UNAUTHORIZED = ApiErrorKind(
    "unauthorized: this API needs the secret of the run that started it", 401
)
LISTEN_NOT_ALLOWED = ApiErrorKind("listen address not allowed", 403)
LIMIT_REACHED = ApiErrorKind("limit reached", 403)


def internal_error(message: str) -> ApiError:
    """Upstream answers 500 for Go errors that carry no status: a listen address that cannot be
    resolved or bound (``listen tcp 127.0.0.1:3310: bind: address already in use``)."""
    return ApiError(message, 500)
