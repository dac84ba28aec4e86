"""App servers: a WSGI app served by a real WSGI server process, reached over a Unix socket.

The layer below both the runner's app cells and the benchmarks: :mod:`chaos.appserver.app_server`
owns the server process, :mod:`chaos.appserver.wsgi_entry` is what that process loads, and
:mod:`chaos.appserver.unix_http` is how a client speaks to it. Nothing is re-exported here: the
HTTP load's client processes import :mod:`chaos.appserver.unix_http` and must stay free of
anything but the standard library.
"""
