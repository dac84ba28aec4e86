"""App mode: a WSGI app served by a real server process meets a fault under HTTP load.

The clients are HTTP clients in separate processes (:mod:`chaos.appmode.load_client`, which
imports nothing but the standard library, so a client starts in milliseconds), driven phase by
phase from the cell (:mod:`chaos.appmode.load`); what they saw becomes a Jepsen-style history
(:mod:`chaos.appmode.outcome`) that the checker judges like any other. Nothing is re-exported
here: importing this package must stay free for the client processes.
"""
