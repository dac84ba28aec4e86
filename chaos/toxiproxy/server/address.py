"""``host:port`` strings as Toxiproxy uses them: resolve, bind, dial, and write back.

Errors are :class:`AddressError` with Go's wording; the API answers them with 500, as upstream
does for every Go error that carries no status. A listen port outside 0-65535 is such an error
(``listen tcp: address 99999: invalid port``, or ``address 99999: invalid port`` when an update
compares addresses first, as upstream's ``Differs`` does), never wrapped into range by
``getaddrinfo``. An upstream is only dialled, so a bad upstream port is accepted and each
connection is then closed, as upstream does.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket

LISTEN_BACKLOG = 4096
#: Ports below this one are privileged: binding them as root takes a port no user could.
FIRST_UNPRIVILEGED_PORT = 1024


class AddressError(Exception):
    pass


class ListenNotAllowed(AddressError):
    """A listen address the server's policy refuses (outside loopback, or a privileged port)."""


def split_host_port(address: str) -> tuple[str, str]:
    host, sep, port = address.rpartition(":")
    if not sep:
        raise AddressError(f"address {address}: missing port in address")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    elif ":" in host:
        raise AddressError(f"address {address}: too many colons in address")
    return host, port


def _check_port(port: str) -> None:
    """Go's ``net`` rejects a numeric port above 65535 or a negative one (``+80`` is 80);
    getaddrinfo would wrap 99999 to 34463. Service names (``http``) are left to getaddrinfo,
    as Go looks them up."""
    digits = port[1:] if port[:1] in "+-" else port
    if digits.isascii() and digits.isdigit() and (port[:1] == "-" or int(digits) > 65535):
        raise AddressError(f"address {port}: invalid port")


def join_host_port(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


async def resolve(address: str, *, passive: bool) -> tuple[int, tuple[str, int]]:
    """The address family and socket address ``address`` names (IPv4 first, as Go prefers).

    An empty host means every interface to Go; here it means loopback, because the API that
    creates proxies has no authentication.
    """
    host, port = split_host_port(address or ":0")
    _check_port(port)
    if host == "":
        host = "127.0.0.1"
    flags = socket.AI_PASSIVE if passive else 0
    try:
        # Literal addresses (the usual case) resolve without a thread.
        infos = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=flags | socket.AI_NUMERICHOST
        )
    except socket.gaierror:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(
                host, port, type=socket.SOCK_STREAM, flags=flags
            )
        except (socket.gaierror, UnicodeError) as e:
            raise AddressError(f"lookup {host}: {_reason(e)}") from e
    except (UnicodeError, ValueError) as e:
        raise AddressError(f"address {address}: {e}") from e
    if not infos:
        raise AddressError(f"lookup {host}: no such host")
    infos.sort(key=lambda info: info[0] != socket.AF_INET)
    family, _, _, _, sockaddr = infos[0]
    return family, (str(sockaddr[0]), int(sockaddr[1]))


def check_listen(sockaddr: tuple[str, int], allow_any: bool) -> None:
    """Refuse to listen outside loopback or on a privileged port unless ``allow_any``.

    The API that creates proxies is reachable by every local user (the standalone server's), or
    by anyone who has the run's secret; either way a proxy must not open a port to the network
    nor take a port only root could bind.
    """
    if allow_any:
        return
    host, port = sockaddr
    ip = ipaddress.ip_address(host.partition("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    where = join_host_port(host, port)
    if not ip.is_loopback:
        raise ListenNotAllowed(f"{where} is not a loopback address")
    if 0 < port < FIRST_UNPRIVILEGED_PORT:
        raise ListenNotAllowed(f"{where} is a privileged port (below {FIRST_UNPRIVILEGED_PORT})")


async def precheck_listen(address: str, allow_any: bool) -> None:
    """:func:`check_listen` on what ``address`` resolves to now, before anything is created;
    an address that does not resolve is left to the bind (Toxiproxy's 500, as upstream)."""
    if allow_any:
        return
    try:
        _, sockaddr = await resolve(address, passive=True)
    except AddressError:
        return
    check_listen(sockaddr, allow_any)


async def canonical(address: str) -> str:
    """``address`` resolved and written back (``localhost:80`` -> ``127.0.0.1:80``)."""
    _, (host, port) = await resolve(address, passive=True)
    return join_host_port(host, port)


async def bind_listener(address: str, allow_any: bool = False) -> socket.socket:
    """A listening socket for ``address`` (SO_REUSEADDR, as Go's listeners); the address bound
    is the one checked (:func:`check_listen`), so a name that resolves differently later
    cannot slip past the check."""
    try:
        family, sockaddr = await resolve(address, passive=True)
    except AddressError as e:
        raise AddressError(f"listen tcp: {e}") from e  # Go's net.Listen wording
    check_listen(sockaddr, allow_any)
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        sock.bind(sockaddr)
        sock.listen(LISTEN_BACKLOG)
        sock.setblocking(False)
    except OSError as e:
        sock.close()
        raise AddressError(f"listen tcp {address}: bind: {_reason(e)}") from e
    return sock


def socket_address(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return join_host_port(host, port)


def dial_address(address: str) -> tuple[str, int] | None:
    """Host and port to connect to, or None when ``address`` cannot name one."""
    try:
        host, port = split_host_port(address)
        number = int(port)
    except (AddressError, ValueError):
        return None
    if not 0 < number < 65536:
        return None
    return host or "127.0.0.1", number


def _reason(error: BaseException) -> str:
    text = getattr(error, "strerror", None) or str(error)
    return text[:1].lower() + text[1:]
