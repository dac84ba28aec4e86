"""Toxics, one module each, named exactly as Toxiproxy names them, registered in :data:`TOXICS`."""

from chaos.toxiproxy.server.toxics import (  # noqa: F401 - importing registers each toxic
    bandwidth,
    latency,
    limit_data,
    mysql_chance,
    mysql_close,
    mysql_commit_in_flight,
    mysql_cut,
    mysql_error,
    mysql_greeting_delay,
    mysql_login_error,
    mysql_lose_commit,
    mysql_lose_commit_ok,
    noop,
    reset_peer,
    slicer,
    slow_close,
    timeout,
)
from chaos.toxiproxy.server.toxics.base import TOXICS, Toxic, ToxicStub

__all__ = ["TOXICS", "Toxic", "ToxicStub"]
