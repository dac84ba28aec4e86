"""The HTTP load of an app cell: client processes that send planned requests to an app server.

Beside the workload, and built on it: the bank's plans become HTTP requests, and what the clients
saw becomes a Jepsen-style history (:mod:`chaos.appmode.outcome`) that the checker judges like any
other. The clients are separate processes (:mod:`chaos.appmode.load_client`, which imports
nothing but the standard library, so a client starts in milliseconds), driven phase by phase
from the cell (:mod:`chaos.appmode.load`); they reach the app server through
:mod:`chaos.appserver.unix_http`. Nothing is re-exported here: importing this package must stay
free for the client processes.
"""
