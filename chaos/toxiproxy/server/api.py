"""Toxiproxy's HTTP API, translated: route, parse the body, call the collections, write JSON.

Status codes, JSON shapes and quirks follow upstream's ``api.go`` (gorilla/mux): 404 with a plain
``404 page not found`` for unknown paths, 405 for a known path with another method, 403 for
browsers, errors as ``{"error": ..., "status": N}``. Paths are cleaned as gorilla/mux cleans them:
``//proxies`` or ``/proxies/./x`` answer 301 to the clean path, a bad escape (``%zz``) 400.
``/metrics`` exists only when the server was started with metrics on, as upstream.

Started with a secret (as every run's embedded server is), the API answers every request that
does not carry it, as the password of HTTP Basic auth, with 401 and nothing else: the server
listens on loopback TCP, where every local user can connect. Clients put the secret in the URL
(``http://mysql-chaos:SECRET@127.0.0.1:PORT``), which Python's requests and Go's net/http (so
toxiproxy-cli) turn into that header. Without a secret the API is open, as upstream's.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import logging
import posixpath
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote, unquote_to_bytes

from chaos.toxiproxy.server import errors
from chaos.toxiproxy.server.collection import ProxyCollection
from chaos.toxiproxy.server.decode import DecodeError, parse_json
from chaos.toxiproxy.server.http import Request, Response

log = logging.getLogger(__name__)

JSON = "application/json"
TEXT = "text/plain; charset=utf-8"

Route = Callable[..., Awaitable[Response]]


def clean_path(path: str) -> str:
    """Go's ``path.Clean`` keeping a trailing slash, as gorilla/mux's ``cleanPath``."""
    cleaned = posixpath.normpath(path)
    if cleaned.startswith("//"):  # normpath keeps exactly two leading slashes (POSIX); Go not
        cleaned = "/" + cleaned.lstrip("/")
    if path.endswith("/") and cleaned != "/":
        cleaned += "/"
    return cleaned


def _encode(value: Any) -> bytes:
    # Strings are checked at decode time; backslashreplace only keeps a missed lone surrogate
    # from turning a reply into a 500 (or GET /proxies into one for good).
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8", errors="backslashreplace"
    )


def json_response(value: Any, status: int = 200) -> Response:
    return Response(status, _encode(value), JSON)


def error_response(error: errors.ApiError) -> Response:
    # Go's http.Error: the JSON text, a newline, and a text/plain content type.
    body = _encode(error.to_json()) + b"\n"
    return Response(error.status, body, TEXT, {"X-Content-Type-Options": "nosniff"})


def _body(request: Request) -> Any:
    try:
        return parse_json(request.body)
    except DecodeError as e:
        raise errors.BAD_REQUEST_BODY(str(e)) from None


class Api:
    def __init__(
        self,
        collection: ProxyCollection,
        version: str,
        metrics: Callable[[], str] | None = None,
        secret: str | None = None,
    ) -> None:
        self.collection = collection
        self.version = version
        self._metrics = metrics
        self._secret = secret.encode() if secret is not None else None
        # (path pattern, {method: handler}); "*" matches one path segment.
        self._routes: list[tuple[tuple[str, ...], dict[str, Route]]] = [
            (("reset",), {"POST": self.reset}),
            (("proxies",), {"GET": self.proxy_index, "POST": self.proxy_create}),
            (("populate",), {"POST": self.populate}),
            (
                ("proxies", "*"),
                {
                    "GET": self.proxy_show,
                    "POST": self.proxy_update,
                    "PATCH": self.proxy_update,
                    "DELETE": self.proxy_delete,
                },
            ),
            (("proxies", "*", "toxics"), {"GET": self.toxic_index, "POST": self.toxic_create}),
            (
                ("proxies", "*", "toxics", "*"),
                {
                    "GET": self.toxic_show,
                    "POST": self.toxic_update,
                    "PATCH": self.toxic_update,
                    "DELETE": self.toxic_delete,
                },
            ),
            (("version",), {"GET": self.show_version}),
        ]

    def authorized(self, request: Request) -> bool:
        """Whether the request carries the secret (any user name); compared in constant time."""
        if self._secret is None:
            return True
        scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(credentials.strip(), validate=True)
        except (binascii.Error, ValueError):
            return False
        _, _, password = decoded.partition(b":")
        return hmac.compare_digest(password, self._secret)

    async def handle(self, request: Request) -> Response:
        if not self.authorized(request):
            # Before routing: without the secret, not even which paths exist is answered.
            response = error_response(errors.UNAUTHORIZED())
            response.headers["WWW-Authenticate"] = 'Basic realm="mysql-chaos toxiproxy"'
            return response
        if request.path == "*":
            return Response(200)  # OPTIONS *, as Go's server answers it
        # Raw bytes back, then escapes (http.py refused bad ones), then UTF-8 (Go keeps invalid
        # bytes; names hold none).
        raw = unquote_to_bytes(request.path.encode("latin-1"))
        path = raw.decode("utf-8", errors="replace")
        cleaned = clean_path(path)
        if cleaned != path:
            location = quote(cleaned, safe="/!$&'()*+,;=:@-._~")
            if request.query:
                location += "?" + request.query
            return Response(301, headers={"Location": location})
        if path == "/metrics" and self._metrics is not None:
            body = self._metrics().encode()
            return Response(200, body, "text/plain; version=0.0.4; charset=utf-8")
        segments = path.split("/")[1:]
        for pattern, methods in self._routes:
            if len(pattern) != len(segments):
                continue
            pairs = list(zip(pattern, segments, strict=True))
            if any(not s or (p != "*" and p != s) for p, s in pairs):
                continue
            handler = methods.get(request.method)
            if handler is None:
                return Response(405)
            if request.headers.get("user-agent", "").startswith("Mozilla/"):
                return Response(403, b"User agent not allowed\n", TEXT)
            arguments = [s for p, s in pairs if p == "*"]
            try:
                return await handler(request, *arguments)
            except errors.ApiError as e:
                return error_response(e)
            except Exception:  # a bug must cost one request, not the server
                log.exception("%s %s failed", request.method, request.path)
                return error_response(errors.internal_error("internal error"))
        return Response(404, b"404 page not found\n", TEXT)

    async def reset(self, request: Request) -> Response:
        await self.collection.reset()
        return Response(204)

    async def proxy_index(self, request: Request) -> Response:
        proxies = self.collection.proxies()
        return json_response({name: proxies[name].to_json() for name in sorted(proxies)})

    async def proxy_create(self, request: Request) -> Response:
        proxy = await self.collection.create(_body(request))
        return json_response(proxy.to_json(), 201)

    async def populate(self, request: Request) -> Response:
        proxies: list[Any] = []
        error: errors.ApiError | None
        try:
            proxies, error = await self.collection.populate(_body(request))
        except errors.ApiError as e:
            error = e
        # Go marshals an empty slice that was never appended to as null.
        listed = [proxy.to_json() for proxy in proxies] or None
        if error is None:
            return json_response({"proxies": listed}, 201)
        return json_response({**error.to_json(), "proxies": listed}, error.status)

    async def proxy_show(self, request: Request, name: str) -> Response:
        return json_response(self.collection.get(name).to_json())

    async def proxy_update(self, request: Request, name: str) -> Response:
        self.collection.get(name)
        if request.method == "POST":
            log.debug("POST /proxies/%s is deprecated; PATCH it", name)
        proxy = await self.collection.update(name, _body(request))
        return json_response(proxy.to_json())

    async def proxy_delete(self, request: Request, name: str) -> Response:
        await self.collection.remove(name)
        return Response(204)

    async def toxic_index(self, request: Request, name: str) -> Response:
        proxy = self.collection.get(name)
        return json_response([spec.to_json() for spec in proxy.toxics.toxics()])

    async def toxic_create(self, request: Request, name: str) -> Response:
        proxy = self.collection.get(name)
        spec = await proxy.toxics.add(_body(request))
        return json_response(spec.to_json())

    async def toxic_show(self, request: Request, name: str, toxic: str) -> Response:
        proxy = self.collection.get(name)
        return json_response(proxy.toxics.get(toxic).to_json())

    async def toxic_update(self, request: Request, name: str, toxic: str) -> Response:
        proxy = self.collection.get(name)
        proxy.toxics.get(toxic)
        spec = await proxy.toxics.update(toxic, _body(request))
        return json_response(spec.to_json())

    async def toxic_delete(self, request: Request, name: str, toxic: str) -> Response:
        proxy = self.collection.get(name)
        await proxy.toxics.remove(toxic)
        return Response(204)

    async def show_version(self, request: Request) -> Response:
        body = json.dumps({"version": self.version}) + "\n"
        return Response(200, body.encode(), "application/json;charset=utf-8")
