"""A proxy's toxics: one ordered chain per direction, applied to every link of that direction.

Upstream's ``toxic_collection.go``: it owns toxic names and defaults, and pushes every change to
the links already open (a toxic added to a proxy applies to live connections at once).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chaos.toxiproxy.server import errors, limits
from chaos.toxiproxy.server.decode import DecodeError, GoType, decode_struct, go_number
from chaos.toxiproxy.server.stream import Direction
from chaos.toxiproxy.server.toxics import TOXICS, Toxic

if TYPE_CHECKING:
    from chaos.toxiproxy.server.link import Link

_TOXIC_FIELDS = {
    "name": GoType.STRING,
    "type": GoType.STRING,
    "stream": GoType.STRING,
    "toxicity": GoType.FLOAT32,
    "attributes": GoType.OBJECT,
}
_UPDATE_FIELDS = {"attributes": GoType.OBJECT, "toxicity": GoType.FLOAT32}


@dataclass(eq=False)
class ToxicSpec:
    """A toxic as the API shows it (upstream's ``ToxicWrapper``); links run instances of it."""

    name: str
    type: str
    stream: str
    direction: Direction
    toxicity: float
    toxic_class: type[Toxic]
    attributes: dict[str, Any]
    # State the toxic's instances on every link share (its strike count).
    shared: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def resets_connection(self) -> bool:
        return self.toxic_class.resets_connection

    def new_toxic(self) -> Toxic:
        toxic = self.toxic_class(**self.attributes)
        toxic.shared = self.shared
        return toxic

    def to_json(self) -> dict[str, Any]:
        hidden = self.toxic_class.extension_attributes
        data = {
            "attributes": {k: v for k, v in self.attributes.items() if v or k not in hidden},
            "name": self.name,
            "type": self.type,
            "stream": self.stream,
            "toxicity": go_number(self.toxicity),
        }
        if self.toxic_class.protocol or self.toxic_class.counts_strikes:
            # Read-only and outside "attributes": a body that sends it back changes nothing.
            data["strikes"] = int(self.shared.get("strikes", 0))
        return data


def _decode_attributes(toxic_class: type[Toxic], raw: Any) -> dict[str, Any]:
    kinds = toxic_class.attribute_kinds
    fields = {name: GoType(kinds.get(name, "int64")) for name in toxic_class.attribute_names()}
    return decode_struct(raw, fields, f"toxics.{toxic_class.__name__}")


def _check_attributes(toxic_class: type[Toxic], attributes: dict[str, Any]) -> None:
    """The toxic's own checks (a ``match`` RE2 cannot compile): a 400 with the reason."""
    try:
        toxic_class.check_attributes(attributes)
    except ValueError as e:
        raise errors.BAD_REQUEST_BODY(str(e)) from None


class ToxicCollection:
    """``server_toxics`` counts the toxics of every proxy of the server (default: these)."""

    def __init__(self, server_toxics: Callable[[], int] | None = None) -> None:
        self._chains: tuple[list[ToxicSpec], list[ToxicSpec]] = ([], [])
        self._links: set[Link] = set()
        self._lock = asyncio.Lock()
        self._server_toxics = server_toxics or self.count

    def count(self) -> int:
        return len(self._chains[0]) + len(self._chains[1])

    def _check_room(self) -> None:
        """The bounds of ``limits``; checked with no await before the toxic is stored, so
        concurrent requests cannot both take the last place."""
        if self.count() >= limits.MAX_TOXICS_PER_PROXY:
            raise errors.LIMIT_REACHED(f"at most {limits.MAX_TOXICS_PER_PROXY} toxics per proxy")
        if self._server_toxics() >= limits.MAX_TOXICS:
            raise errors.LIMIT_REACHED(f"at most {limits.MAX_TOXICS} toxics on the server")

    def toxics(self) -> list[ToxicSpec]:
        """Upstream toxics first, then downstream, each in the order added."""
        return [*self._chains[Direction.UPSTREAM], *self._chains[Direction.DOWNSTREAM]]

    def chains(self) -> tuple[list[ToxicSpec], list[ToxicSpec]]:
        return list(self._chains[0]), list(self._chains[1])

    def find(self, name: str) -> ToxicSpec | None:
        for spec in self.toxics():
            if spec.name == name:
                return spec
        return None

    def get(self, name: str) -> ToxicSpec:
        spec = self.find(name)
        if spec is None:
            raise errors.TOXIC_NOT_FOUND()
        return spec

    def link_opened(self, link: Link) -> None:
        self._links.add(link)

    def link_closed(self, link: Link) -> None:
        self._links.discard(link)

    def _links_of(self, direction: Direction) -> list[Link]:
        return [link for link in self._links if link.direction == direction]

    async def add(self, body: Any) -> ToxicSpec:
        """Create a toxic from a decoded JSON body; checks in upstream's order."""
        try:
            fields = decode_struct(body, _TOXIC_FIELDS, "toxics.ToxicWrapper")
        except DecodeError as e:
            raise errors.BAD_REQUEST_BODY(str(e)) from None
        stream = fields.get("stream", "downstream")
        direction = Direction.parse(stream)
        if direction is None:
            raise errors.INVALID_STREAM()
        toxic_type = fields.get("type", "")
        name = fields.get("name") or f"{toxic_type}_{stream}"
        if toxic_type not in TOXICS:
            raise errors.INVALID_TOXIC_TYPE()
        toxic_class = TOXICS.get(toxic_type)
        async with self._lock:
            if self.find(name) is not None:
                raise errors.TOXIC_ALREADY_EXISTS()
            self._check_room()
            try:
                attributes = toxic_class().attributes()
                attributes.update(_decode_attributes(toxic_class, fields.get("attributes")))
            except DecodeError as e:
                raise errors.BAD_REQUEST_BODY(str(e)) from None
            _check_attributes(toxic_class, attributes)
            spec = ToxicSpec(
                name=name,
                type=toxic_type,
                stream=stream,
                direction=direction,
                toxicity=fields.get("toxicity", 1.0),
                toxic_class=toxic_class,
                attributes=attributes,
            )
            self._chains[direction].append(spec)
            links = self._links_of(direction)
            await asyncio.gather(*(link.add_toxic(spec) for link in links))
        return spec

    async def update(self, name: str, body: Any) -> ToxicSpec:
        """Merge the given attributes (and toxicity) into a toxic and restart it on every link."""
        async with self._lock:
            spec = self.get(name)
            try:
                fields = decode_struct(body, _UPDATE_FIELDS, "struct")
                attributes = _decode_attributes(spec.toxic_class, fields.get("attributes"))
            except DecodeError as e:
                raise errors.BAD_REQUEST_BODY(str(e)) from None
            _check_attributes(spec.toxic_class, {**spec.attributes, **attributes})
            spec.attributes.update(attributes)
            spec.toxicity = fields.get("toxicity", spec.toxicity)
            links = self._links_of(spec.direction)
            await asyncio.gather(*(link.update_toxic(spec) for link in links))
        return spec

    async def remove(self, name: str) -> None:
        async with self._lock:
            await self._remove(self.get(name))

    async def reset(self) -> None:
        """Remove every toxic (``POST /reset``)."""
        async with self._lock:
            for spec in self.toxics():
                await self._remove(spec)

    async def _remove(self, spec: ToxicSpec) -> None:
        self._chains[spec.direction].remove(spec)
        links = self._links_of(spec.direction)
        await asyncio.gather(*(link.remove_toxic(spec) for link in links))
