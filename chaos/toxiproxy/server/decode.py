"""Request bodies read the way Go's ``encoding/json`` reads them into Toxiproxy's structs.

Why emulate Go: clients written against the real server rely on its leniency, and its strictness
decides which inputs get a 400. What Go does, and so this does:

- one JSON value is read and anything after it ignored; an empty body is ``EOF``;
- keys match field names exactly, else case-insensitively; unknown keys are ignored;
- ``null`` leaves a field as it was; a top-level ``null`` decodes to nothing;
- a value of the wrong JSON type, a non-integer (``1.5``, ``1e3``) or out-of-range number for an
  integer field, and a float32 overflow are errors, as is NaN/Infinity (not JSON at all);
- a float32 field keeps float32 precision (``0.123456789`` is stored and shown as ``0.12345679``).

Deliberate differences (Go accepts both, and the first would poison every later reply here):

- a string holding a lone surrogate (``"\\ud800"``), which UTF-8 cannot encode, is a 400
  (Go silently turns it into U+FFFD);
- a field called ``name`` (a proxy's or a toxic's) holds at most :data:`MAX_NAME_BYTES` bytes
  of UTF-8, any other string at most :data:`MAX_STRING_BYTES` (Go: no limit);
- a name holding ``/``, or ``.`` or ``..``, is a 400: no request path can reach it afterwards
  (Go creates it, and then neither DELETE nor ``/reset`` removes it);
- a body holding more than :data:`MAX_JSON_CONTAINERS` ``{`` and ``[`` is a 400 before it is
  parsed: a 1 MiB body of 350,000 empty objects took 0.1-0.2 s of one uninterruptible call (and
  garbage collections) on the loop that moves the proxied bytes; 10,000 is more proxies than a
  ``/populate`` ever needs.
"""

from __future__ import annotations

import enum
import functools
import json
import struct
from typing import Any

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
FLOAT32_MAX = 3.4028234663852886e38
MAX_NAME_BYTES = 256
MAX_STRING_BYTES = 1024
MAX_JSON_CONTAINERS = 10_000


class GoType(enum.Enum):
    STRING = "string"
    BOOL = "bool"
    INT64 = "int64"
    FLOAT32 = "float32"
    OBJECT = "object"  # kept as a dict, decoded later (a toxic's attributes)


class DecodeError(ValueError):
    """The body is not what the struct accepts; the message follows Go's wording."""


def _reject_constant(name: str) -> Any:
    raise DecodeError(f"invalid character '{name[0]}' looking for beginning of value")


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def parse_json(body: bytes) -> Any:
    """The first JSON value in ``body`` (Go's ``Decoder.Decode``)."""
    containers = body.count(b"{") + body.count(b"[")  # braces in strings count too: an upper bound
    if containers > MAX_JSON_CONTAINERS:
        raise DecodeError(f"more than {MAX_JSON_CONTAINERS} JSON objects and arrays")
    text = body.decode("utf-8", errors="replace").lstrip(" \t\r\n")
    if not text:
        raise DecodeError("EOF")
    try:
        value, _ = _DECODER.raw_decode(text)
    except json.JSONDecodeError as e:
        if e.pos >= len(text):
            raise DecodeError("unexpected EOF") from None
        raise DecodeError(f"invalid JSON at offset {e.pos}: {e.msg}") from None
    except (ValueError, RecursionError) as e:  # digits past int's limit, absurd nesting
        raise DecodeError(str(e) or type(e).__name__) from None
    return value


def json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return f"number {value}"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


@functools.lru_cache(maxsize=64)
def _folded(names: tuple[str, ...]) -> dict[str, str]:
    return {name.casefold(): name for name in names}


def decode_struct(value: Any, fields: dict[str, GoType], struct: str) -> dict[str, Any]:
    """The fields of ``fields`` present (and not null) in ``value``, converted and checked."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        kind = json_kind(value)
        raise DecodeError(f"json: cannot unmarshal {kind} into Go value of type {struct}")
    folded = _folded(tuple(fields))
    decoded: dict[str, Any] = {}
    for key, item in value.items():
        name = key if key in fields else folded.get(key.casefold())
        if name is None or item is None:
            continue
        decoded[name] = _convert(item, fields[name], f"{struct}.{key}")
        if fields[name] is GoType.STRING:
            _check_string(decoded[name], name, f"{struct}.{key}")
    return decoded


def _check_string(text: str, name: str, where: str) -> None:
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:
        raise DecodeError(
            f"json: string field {where} holds a lone UTF-16 surrogate (not valid UTF-8)"
        ) from None
    if name == "name" and ("/" in text or text in (".", "..")):
        # The real server creates such a proxy and then no path reaches it to delete it.
        raise DecodeError(f"json: string field {where} cannot name a URL path segment")
    limit = MAX_NAME_BYTES if name == "name" else MAX_STRING_BYTES
    if size > limit:
        raise DecodeError(f"json: string field {where} is longer than {limit} bytes")


def _convert(item: Any, go_type: GoType, where: str) -> Any:
    ok: bool
    match go_type:
        case GoType.STRING:
            ok = isinstance(item, str)
        case GoType.BOOL:
            ok = isinstance(item, bool)
        case GoType.INT64:
            ok = type(item) is int and INT64_MIN <= item <= INT64_MAX
        case GoType.FLOAT32:
            ok = type(item) in (int, float) and abs(item) <= FLOAT32_MAX
            if ok:
                item = to_float32(float(item))
        case GoType.OBJECT:
            ok = isinstance(item, dict)
    if not ok:
        raise DecodeError(
            f"json: cannot unmarshal {json_kind(item)} into Go struct field {where} "
            f"of type {go_type.value}"
        )
    return item


def to_float32(value: float) -> float:
    """``value`` rounded to the nearest float32, as Go stores a ``float32`` field."""
    return float(struct.unpack("<f", struct.pack("<f", value))[0])


def go_number(value: float) -> int | float:
    """How Go's encoder writes a float32: ``1``, not ``1.0``; the shortest decimal that reads
    back as the same float32 (``0.12345679``, not float64's ``0.12345679104328156``)."""
    if value.is_integer():
        return int(value)
    single = to_float32(value)
    for digits in range(1, 10):
        shortest = float(f"{single:.{digits}g}")
        if to_float32(shortest) == single:
            return shortest
    return value
