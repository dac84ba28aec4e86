"""Can this process make network namespaces and nftables rules? Say why not, in one line."""

from __future__ import annotations

import functools
import shutil
import subprocess

from chaos.errors import CapabilityMissingError

_CAP_NET_ADMIN = 12
_SBIN = "/usr/sbin:/sbin:/usr/bin:/bin"


def tool_path(name: str) -> str | None:
    return shutil.which(name) or shutil.which(name, path=_SBIN)


def tool(name: str) -> str:
    """The command to run for ``name``: its full path when found, else the bare name."""
    return tool_path(name) or name


def _effective_capabilities() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("CapEff:"):
                return int(line.split()[1], 16)
    return 0


@functools.lru_cache(maxsize=1)
def net_admin_missing_reason() -> str | None:
    """``None`` when kernel faults can run here, else the reason they cannot."""
    if not _effective_capabilities() & (1 << _CAP_NET_ADMIN):
        return "needs CAP_NET_ADMIN (run as root, or rootless inside a user namespace)"
    for command, package in (("ip", "iproute2"), ("nft", "nftables")):
        if tool_path(command) is None:
            return f"needs the '{command}' command (install Debian's {package})"
    # The capability can be present yet useless (a container without netns rights): try it.
    probe = subprocess.run([tool("unshare"), "--net", "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        return (
            "cannot create network namespaces here: "
            + probe.stderr.decode(errors="replace").strip()
        )
    return None


def require_net_admin() -> None:
    reason = net_admin_missing_reason()
    if reason is not None:
        raise CapabilityMissingError(reason)
