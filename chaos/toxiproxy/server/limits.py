"""How much one server holds: the bounds every creation is counted against.

The real Toxiproxy takes as many proxies and toxics as it is sent; here 30 ``/populate`` bodies
made 90,000 proxies (197 MB, a 50 MB ``GET /proxies``) and 2,000 enabled proxies held 2,000 file
descriptors. With names at most 256 bytes and other strings at most 1 KiB (``decode``), a toxic
is at most about 5 KiB of JSON, so the bounds below keep everything stored, and the largest
answer (``GET /proxies``, about 5 MB at the bounds), well inside the server's 150 MB. They are
generous for real use: a run keeps one proxy per cell and a few toxics on it.

Past a bound the API answers 403 (:data:`errors.LIMIT_REACHED`), as for any request the
server's policy refuses; 409 would read as "already exists" to Toxiproxy clients (toxiproxy-python
raises ``ProxyExists`` for it), and 400 as a malformed toxic.
"""

from __future__ import annotations

MAX_PROXIES = 256
MAX_TOXICS_PER_PROXY = 32
MAX_TOXICS = 1024  # on the whole server
#: Statements a ``mysql_chance`` toxic remembers (a digest each, ~100 bytes): past it the toxic
#: forgets and counts every text from 0 again, so a toxic left on a busy proxy stays bounded.
MAX_CHANCE_STATEMENTS = 100_000
