"""The server's proxies by name (upstream's proxy_collection.go): creation, lookup, removal, and
``/populate``'s create-or-replace, within the server's bounds (``limits``) and listen policy
(``address.check_listen``)."""

from __future__ import annotations

import asyncio
from typing import Any

from chaos.toxiproxy.server import address, errors, limits
from chaos.toxiproxy.server.decode import DecodeError, GoType, decode_struct, json_kind
from chaos.toxiproxy.server.proxy import Proxy, listen_not_allowed

_YIELD_EVERY = 2000

_PROXY_FIELDS = {
    "name": GoType.STRING,
    "listen": GoType.STRING,
    "upstream": GoType.STRING,
    "enabled": GoType.BOOL,
}


def _decode_proxy(value: Any) -> dict[str, Any]:
    try:
        return decode_struct(value, _PROXY_FIELDS, "toxiproxy.Proxy")
    except DecodeError as e:
        raise errors.BAD_REQUEST_BODY(str(e)) from None


def _too_many_proxies() -> errors.ApiError:
    return errors.LIMIT_REACHED(f"at most {limits.MAX_PROXIES} proxies")


class ProxyCollection:
    """``allow_any_listen``: proxies may listen on any address and port (the standalone
    server's ``--allow-any-listen``); otherwise only on loopback, above the privileged ports."""

    def __init__(self, allow_any_listen: bool = False) -> None:
        self._proxies: dict[str, Proxy] = {}
        self._lock = asyncio.Lock()
        self.allow_any_listen = allow_any_listen

    def _new_proxy(self, name: str, listen: str, upstream: str) -> Proxy:
        proxy = Proxy(
            name,
            listen,
            upstream,
            allow_any_listen=self.allow_any_listen,
            server_toxics=self.toxic_count,
        )
        # Bytes read per direction (upstream, downstream), one cell each that every connection
        # of the proxy adds to: the counters /metrics shows, kept across connections and restarts.
        proxy.received_bytes = ([0], [0])  # type: ignore[attr-defined]
        return proxy

    async def _precheck_listen(self, listen: str) -> None:
        """Refuse a listen address before anything is created or stopped (a disabled proxy
        is refused too: it would bind when enabled)."""
        try:
            await address.precheck_listen(listen, self.allow_any_listen)
        except address.ListenNotAllowed as e:
            raise listen_not_allowed(e) from None

    def toxic_count(self) -> int:
        return sum(proxy.toxics.count() for proxy in self._proxies.values())

    def proxies(self) -> dict[str, Proxy]:
        return dict(self._proxies)

    def get(self, name: str) -> Proxy:
        try:
            return self._proxies[name]
        except KeyError:
            raise errors.PROXY_NOT_FOUND() from None

    async def create(self, body: Any) -> Proxy:
        """``POST /proxies``: 409 for a taken name; it listens unless ``enabled`` is false."""
        fields = _decode_proxy(body)
        for required in ("name", "upstream"):
            if not fields.get(required):
                raise errors.MISSING_FIELD(required)
        proxy = self._new_proxy(fields["name"], fields.get("listen", ""), fields["upstream"])
        await self._precheck_listen(proxy.listen)
        async with self._lock:
            if proxy.name in self._proxies:
                raise errors.PROXY_ALREADY_EXISTS()
            if len(self._proxies) >= limits.MAX_PROXIES:
                raise _too_many_proxies()
            if fields.get("enabled", True):
                await proxy.start()
            self._proxies[proxy.name] = proxy
        return proxy

    async def populate(self, body: Any) -> tuple[list[Proxy], errors.ApiError | None]:
        """``POST /populate``: every entry is checked before any is created; a proxy whose name
        exists is kept when its listen and upstream match and replaced otherwise. On a failure
        half-way the proxies done so far are returned with the error."""
        if body is None:
            body = []
        if not isinstance(body, list):
            raise errors.BAD_REQUEST_BODY(
                f"json: cannot unmarshal {json_kind(body)} into Go value of type []toxiproxy.Proxy"
            )
        entries: list[dict[str, Any]] = []
        for number, item in enumerate(body, start=1):
            entries.append(_decode_proxy(item))
            # A 1 MiB body holds 350,000 entries, and this loop also moves every proxied byte.
            if number % _YIELD_EVERY == 0:
                await asyncio.sleep(0)
        for number, entry in enumerate(entries, start=1):
            for required in ("name", "upstream"):
                if not entry.get(required):
                    raise errors.MISSING_FIELD(f"{required} at proxy {number}")
        # All or nothing past the bound: a body that would pass it creates none of its proxies.
        if len(self._proxies.keys() | {entry["name"] for entry in entries}) > limits.MAX_PROXIES:
            raise _too_many_proxies()
        for entry in entries:
            await self._precheck_listen(entry.get("listen", ""))
        result: list[Proxy] = []
        for entry in entries:
            proxy = self._new_proxy(entry["name"], entry.get("listen", ""), entry["upstream"])
            try:
                result.append(await self._add_or_replace(proxy, entry.get("enabled", True)))
            except errors.ApiError as e:
                return result, e
        return result, None

    async def _add_or_replace(self, proxy: Proxy, start: bool) -> Proxy:
        async with self._lock:
            existing = self._proxies.get(proxy.name)
            if existing is not None:
                if not await existing.differs(proxy.listen, proxy.upstream):
                    return existing
                await existing.stop()
            elif len(self._proxies) >= limits.MAX_PROXIES:  # others were created meanwhile
                raise _too_many_proxies()
            if start:
                await proxy.start()
            self._proxies[proxy.name] = proxy
            return proxy

    async def update(self, name: str, body: Any) -> Proxy:
        """``PATCH`` (or the deprecated ``POST``) ``/proxies/{name}``; omitted fields keep their
        values; the name cannot change."""
        proxy = self.get(name)
        fields = _decode_proxy(body)
        if "listen" in fields:
            await self._precheck_listen(fields["listen"])
        await proxy.update(
            fields.get("listen", proxy.listen),
            fields.get("upstream", proxy.upstream),
            fields.get("enabled", proxy.enabled),
        )
        return proxy

    async def remove(self, name: str) -> None:
        async with self._lock:
            proxy = self.get(name)
            await proxy.stop()
            del self._proxies[name]

    async def reset(self) -> None:
        """``POST /reset``: every proxy enabled again and every toxic removed."""
        for proxy in list(self._proxies.values()):
            await proxy.start()
            await proxy.toxics.reset()

    async def clear(self) -> None:
        async with self._lock:
            proxies = list(self._proxies.values())
            self._proxies.clear()
        for proxy in proxies:
            await proxy.stop()
