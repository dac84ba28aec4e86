"""Drive any Toxiproxy 2.x, the real one or the embedded one, over its HTTP API.

Built on toxiproxy-python: its status mapping (``validate_response``: 400/404/409 to
``InvalidToxic``/``NotFound``/``ProxyExists``) classifies every error, whose exception is chained
as the cause. Its ``APIConsumer`` keeps host and port class-global, sets no request timeout, and it
has no toxic update and no real ``/populate``; so the requests themselves go through ``requests``
with this client's own URL and timeout, one connection per request (a kept-alive socket that the
server closed while idle would fail the next POST).

A URL may carry credentials (``http://mysql-chaos:SECRET@127.0.0.1:PORT``, as a run's embedded
server wants); requests sends them as HTTP Basic auth. ``url`` keeps them, so treat it as a
secret; ``display_url`` and everything this module prints or raises leave them out. A real
Toxiproxy has no authentication and takes a URL without them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import requests
from toxiproxy.api import validate_response
from toxiproxy.exceptions import InvalidToxic, NotFound, ProxyExists

from chaos import __version__
from chaos.errors import ToxiproxyError

_WILDCARD_HOSTS = {"", "0.0.0.0", "::", "[::]"}


class ToxiproxyApiError(ToxiproxyError):
    """The server answered an HTTP error; ``status`` and the server's ``message`` are kept."""

    def __init__(self, text: str, status: int, message: str) -> None:
        super().__init__(text)
        self.status = status
        self.message = message


def _path(*segments: str) -> str:
    return "/" + "/".join(quote(segment, safe="") for segment in segments)


def redact_url(url: str) -> str:
    """``url`` without its user name and password, to print or log (also when malformed)."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    authority, slash, path = rest.partition("/")
    return f"{scheme}{sep}{authority.rpartition('@')[2]}{slash}{path}"


def url_with_secret(url: str, secret: str, user: str = "mysql-chaos") -> str:
    """``url`` (``http://host:port``) carrying ``secret`` as the password of HTTP Basic auth."""
    parts = urlsplit(url)
    netloc = f"{quote(user, safe='')}:{quote(secret, safe='')}@{parts.netloc}"
    return urlunsplit(parts._replace(netloc=netloc))


def split_listen(listen: str) -> tuple[str, int]:
    """Host to connect to and port of a proxy's ``listen`` (a wildcard host means loopback)."""
    host, _, port = listen.rpartition(":")
    host = host.strip("[]")
    return ("127.0.0.1" if host in _WILDCARD_HOSTS else host), int(port)


class ToxiproxyClient:
    """A client for one Toxiproxy server."""

    def __init__(self, url: str = "http://127.0.0.1:8474", timeout: float = 5.0) -> None:
        if not url.startswith(("http://", "https://")):
            shown = redact_url(url)
            raise ToxiproxyError(f"Toxiproxy URL must start with http:// or https://: {shown!r}")
        self.url = url.rstrip("/")  # with the credentials, if any: a secret
        self.display_url = redact_url(self.url)
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"ToxiproxyClient({self.display_url!r})"

    def request(self, method: str, path: str, body: Any = None) -> requests.Response:
        """One API call; an unreachable server or an HTTP error is a :class:`ToxiproxyError`."""
        headers = {"Connection": "close", "User-Agent": f"mysql-chaos/{__version__}"}
        try:
            response = requests.request(
                method, self.url + path, json=body, headers=headers, timeout=self.timeout
            )
        except requests.RequestException as e:
            raise ToxiproxyError(
                f"Toxiproxy at {self.display_url} did not answer {method} {path}: "
                f"{type(e).__name__}"
            ) from e
        if response.status_code >= 400:
            raise self._error(method, path, response)
        return response

    @staticmethod
    def _error(method: str, path: str, response: requests.Response) -> ToxiproxyApiError:
        try:
            message = str(response.json()["error"])
        except (ValueError, KeyError, TypeError):
            message = response.text.strip() or response.reason or "no message"
        cause: Exception | None = None
        try:
            validate_response(response)
        except (InvalidToxic, NotFound, ProxyExists) as e:
            cause = e
        status = response.status_code
        error = ToxiproxyApiError(
            f"Toxiproxy {method} {path}: HTTP {status}: {message}", status, message
        )
        error.__cause__ = cause
        return error

    def version(self) -> str:
        response = self.request("GET", "/version")
        try:
            return str(response.json()["version"])
        except (ValueError, KeyError, TypeError):
            return response.text.strip()  # Toxiproxy < 2.7 answers plain text

    def proxies(self) -> dict[str, ProxyHandle]:
        data = self.request("GET", "/proxies").json()
        return {name: ProxyHandle(self, value) for name, value in data.items()}

    def create_proxy(
        self, name: str, upstream: str, listen: str = "127.0.0.1:0", enabled: bool = True
    ) -> ProxyHandle:
        body = {"name": name, "upstream": upstream, "listen": listen, "enabled": enabled}
        return ProxyHandle(self, self.request("POST", "/proxies", body).json())

    def get_proxy(self, name: str) -> ProxyHandle:
        return ProxyHandle(self, self.request("GET", _path("proxies", name)).json())

    def delete_proxy(self, name: str) -> None:
        self.request("DELETE", _path("proxies", name))

    def populate(self, proxies: list[dict[str, Any]]) -> list[ProxyHandle]:
        """Create or replace ``proxies`` (``name``, ``upstream``, ``listen``, ``enabled``)."""
        listed = self.request("POST", "/populate", proxies).json().get("proxies") or []
        return [ProxyHandle(self, value) for value in listed]

    def reset(self) -> None:
        """Enable every proxy and remove every toxic."""
        self.request("POST", "/reset")

    def update(self, path: str, body: dict[str, Any]) -> requests.Response:
        """PATCH, falling back to the POST that Toxiproxy before 2.6 takes."""
        try:
            return self.request("PATCH", path, body)
        except ToxiproxyApiError as e:
            if e.status != 405:
                raise
        return self.request("POST", path, body)


class ProxyHandle:
    """One proxy on a Toxiproxy server, as last read; methods act on the server."""

    name: str
    upstream: str
    listen: str
    listen_host: str
    listen_port: int
    enabled: bool

    def __init__(self, client: ToxiproxyClient, data: dict[str, Any]) -> None:
        self.client = client
        self._load(data)

    def _load(self, data: dict[str, Any]) -> None:
        self.name = data["name"]
        self.upstream = data["upstream"]
        self.listen = data["listen"]
        self.listen_host, self.listen_port = split_listen(self.listen)
        self.enabled = bool(data["enabled"])
        #: Client connections closed by disabling it (the embedded server's extension; None on
        #: a real Toxiproxy, which does not count them).
        links_closed = data.get("links_closed")
        self.links_closed: int | None = None if links_closed is None else int(links_closed)

    def __repr__(self) -> str:
        state = "enabled" if self.enabled else "disabled"
        return f"ProxyHandle({self.name!r}, {self.listen} -> {self.upstream}, {state})"

    @property
    def _base(self) -> str:
        return _path("proxies", self.name)

    def refresh(self) -> ProxyHandle:
        self._load(self.client.request("GET", self._base).json())
        return self

    def add_toxic(
        self,
        type: str,
        *,
        name: str | None = None,
        stream: str = "downstream",
        toxicity: float = 1.0,
        **attributes: Any,
    ) -> dict[str, Any]:
        """Add a toxic; its name defaults to ``<type>_<stream>``. Returns the server's view."""
        body: dict[str, Any] = {
            "type": type,
            "stream": stream,
            "toxicity": toxicity,
            "attributes": attributes,
        }
        if name is not None:
            body["name"] = name
        return dict(self.client.request("POST", self._base + "/toxics", body).json())

    def update_toxic(
        self, name: str, *, toxicity: float | None = None, **attributes: Any
    ) -> dict[str, Any]:
        """Change some attributes (the others keep their values) and/or the toxicity."""
        body: dict[str, Any] = {"attributes": attributes}
        if toxicity is not None:
            body["toxicity"] = toxicity
        return dict(self.client.update(self._base + _path("toxics", name), body).json())

    def remove_toxic(self, name: str) -> None:
        self.client.request("DELETE", self._base + _path("toxics", name))

    def get_toxic(self, name: str) -> dict[str, Any]:
        return dict(self.client.request("GET", self._base + _path("toxics", name)).json())

    def toxics(self) -> list[dict[str, Any]]:
        return list(self.client.request("GET", self._base + "/toxics").json())

    @contextlib.contextmanager
    def toxic(self, type: str, **options: Any) -> Iterator[dict[str, Any]]:
        """A toxic present for the duration of the block."""
        toxic = self.add_toxic(type, **options)
        try:
            yield toxic
        finally:
            with contextlib.suppress(ToxiproxyApiError):
                self.remove_toxic(toxic["name"])

    def disable(self) -> None:
        """Stop listening and drop every live connection."""
        self._load(self.client.update(self._base, {"enabled": False}).json())

    def enable(self) -> None:
        """Listen again (on the same address)."""
        self._load(self.client.update(self._base, {"enabled": True}).json())

    @contextlib.contextmanager
    def down(self) -> Iterator[ProxyHandle]:
        """The proxy disabled for the duration of the block."""
        self.disable()
        try:
            yield self
        finally:
            self.enable()

    def set_upstream(self, upstream: str) -> None:
        """Point the proxy at ``upstream`` (``host:port``), as a DNS flip moves an endpoint.

        Toxiproxy restarts a proxy whose upstream changes: every live link is closed (no
        packet reaches the client but the FIN) and new ones reach the new upstream.
        """
        self._load(self.client.update(self._base, {"upstream": upstream}).json())

    def delete(self) -> None:
        self.client.delete_proxy(self.name)
