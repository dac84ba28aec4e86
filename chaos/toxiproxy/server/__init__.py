"""The embedded Toxiproxy-compatible server: Toxiproxy 2.x's HTTP API and toxics on asyncio.

``api`` translates HTTP (over ``http``), ``collection`` owns proxy names, ``proxy`` owns a
listener and its connections, ``connection`` one client's two sockets, ``link`` one direction's
pipeline, ``toxic_collection`` a proxy's toxics, ``toxics`` the toxics themselves, ``errors`` the
API's error table, ``decode`` reads bodies as Go's encoding/json does.
"""

from chaos.toxiproxy.server.server import VERSION, ToxiproxyServer, new_event_loop, serve

__all__ = ["VERSION", "ToxiproxyServer", "new_event_loop", "serve"]
