"""Kernel-level faults: a network namespace per run, nftables rules inside it, TCP sysctls that
compress hours into seconds. Needs CAP_NET_ADMIN; without it these faults skip with the reason."""

from chaos.netns.capability import net_admin_missing_reason, require_net_admin
from chaos.netns.firewall import Firewall
from chaos.netns.namespace import KeepaliveTiming, NetworkNamespace

__all__ = [
    "Firewall",
    "KeepaliveTiming",
    "NetworkNamespace",
    "net_admin_missing_reason",
    "require_net_admin",
]
