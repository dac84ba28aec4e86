"""Toxiproxy for the nemesis: a client for any Toxiproxy 2.x and an embedded compatible server.

``client`` drives a server over HTTP, ``embedded`` starts the one in ``server`` (in a thread or a
process), and :func:`toxiproxy_from_environment` picks ``TOXIPROXY_URL`` or the embedded one.
"""

from chaos.toxiproxy.client import ProxyHandle, ToxiproxyApiError, ToxiproxyClient
from chaos.toxiproxy.embedded import EmbeddedToxiproxy, toxiproxy_from_environment

__all__ = [
    "EmbeddedToxiproxy",
    "ProxyHandle",
    "ToxiproxyApiError",
    "ToxiproxyClient",
    "toxiproxy_from_environment",
]
