"""MySQL client/server protocol: packet framing, the constants the proxy reads, ERR packets.

A packet is a 3-byte little-endian payload length, a 1-byte sequence id and the payload. A
payload of exactly 0xFFFFFF bytes continues in the next packet (how >16 MB values travel).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

MAX_PAYLOAD = 0xFFFFFF

# Capability flags (the handshake's lower and upper 16 bits together).
CLIENT_PROTOCOL_41 = 0x00000200
CLIENT_SSL = 0x00000800
CLIENT_COMPRESS = 0x00000020
CLIENT_DEPRECATE_EOF = 0x01000000

# Server status flags, in OK and EOF packets.
SERVER_STATUS_IN_TRANS = 0x0001
SERVER_STATUS_AUTOCOMMIT = 0x0002
SERVER_MORE_RESULTS_EXISTS = 0x0008

# Commands (the first payload byte of a command packet).
COM_QUIT = 0x01
COM_INIT_DB = 0x02
COM_QUERY = 0x03
COM_FIELD_LIST = 0x04
COM_STATISTICS = 0x09
COM_PING = 0x0E
COM_CHANGE_USER = 0x11
COM_STMT_PREPARE = 0x16
COM_STMT_EXECUTE = 0x17
COM_STMT_SEND_LONG_DATA = 0x18
COM_STMT_CLOSE = 0x19
COM_STMT_RESET = 0x1A
COM_SET_OPTION = 0x1B
COM_STMT_FETCH = 0x1C
COM_RESET_CONNECTION = 0x1F

# First payload byte of a response packet.
OK = 0x00
LOCAL_INFILE = 0xFB
EOF = 0xFE
ERR = 0xFF


def header(length: int, seq: int) -> bytes:
    return struct.pack("<I", length)[:3] + bytes((seq & 0xFF,))


def packet(payload: bytes, seq: int) -> bytes:
    """One packet (payloads here are small: an ERR or a command)."""
    return header(len(payload), seq) + payload


def err_packet(code: int, state: str, message: str, seq: int) -> bytes:
    """An ERR packet as a 4.1 server sends it: 0xFF, code, '#', SQLSTATE, message."""
    state_bytes = state.encode("ascii", "replace")[:5].ljust(5, b"0")
    payload = b"\xff" + struct.pack("<H", code) + b"#" + state_bytes + message.encode()
    return packet(payload, seq)


def com_query(sql: str) -> bytes:
    return packet(bytes((COM_QUERY,)) + sql.encode(), 0)


def lenenc_int(data: bytes | bytearray | memoryview, pos: int) -> tuple[int, int]:
    """A length-encoded integer at ``pos``: (value, position after it)."""
    first = data[pos]
    if first < 0xFB:
        return first, pos + 1
    if first == 0xFC:
        return data[pos + 1] | data[pos + 2] << 8, pos + 3
    if first == 0xFD:
        return data[pos + 1] | data[pos + 2] << 8 | data[pos + 3] << 16, pos + 4
    return int.from_bytes(data[pos + 1 : pos + 9], "little"), pos + 9


def ok_status(payload: bytes | bytearray | memoryview) -> int:
    """Status flags of an OK packet (0x00 or, as a result set's end, 0xFE header)."""
    _, pos = lenenc_int(payload, 1)  # affected rows
    _, pos = lenenc_int(payload, pos)  # last insert id
    if pos + 2 > len(payload):
        return 0
    return payload[pos] | payload[pos + 1] << 8


def eof_status(payload: bytes | bytearray | memoryview) -> int:
    """Status flags of a classic EOF packet (0xFE, warnings, status)."""
    if len(payload) < 5:
        return 0
    return payload[3] | payload[4] << 8


@dataclass(frozen=True, slots=True)
class ErrSpec:
    """An ERR packet to inject: code, SQLSTATE, message."""

    code: int
    state: str
    message: str

    def packet(self, seq: int) -> bytes:
        return err_packet(self.code, self.state, self.message, seq)
