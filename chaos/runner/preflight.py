"""What a cell needs, checked before it starts: the only place a cell may be skipped.

A skip means "this machine or this server cannot run the fault", decided from the fault's
declared needs before anything is started. Once a cell has started, anything that goes wrong
(a failing ``ip`` or ``nft`` command included) is an error, never a skip: a broken rule must not
turn into a cell that counts as met.
"""

from __future__ import annotations

from typing import Any

from chaos.faults.base import Fault, Need
from chaos.netns import net_admin_missing_reason
from chaos.runner.environment import Backend
from chaos.servers.binary import find_server_binary
from chaos.servers.template import template_datadir


def unmet_need(fault: type[Fault], backend: Backend, toxiproxy: Any) -> str | None:
    """Why ``fault`` cannot run with ``backend`` and ``toxiproxy``, or ``None`` when it can."""
    needs = fault.needs
    if Need.NETNS in needs:
        reason = net_admin_missing_reason()
        if reason is not None:
            return reason
    if Need.PROXY in needs and toxiproxy is None:
        return Need.PROXY.reason
    # A fault that needs a namespace gets a disposable server inside it even with --server-url.
    if backend.external_url and Need.NETNS not in needs:
        if Need.PROCESS in needs:
            return Need.PROCESS.reason
        if Need.GLOBALS in needs and not backend.allow_global_changes:
            return Need.GLOBALS.reason
    return None


def require_local_servers(faults: list[type[Fault]], backend: Backend) -> None:
    """Find the server binary and make its template now, if any cell starts a local server.

    A missing binary or an unusable cache directory is the run's problem, not a cell's: it
    raises once, as one line, before any cell starts, instead of failing every cell alike.
    """
    if backend.docker_image:
        return  # containers bring their own server
    if backend.external_url and not any(Need.NETNS in fault.needs for fault in faults):
        return
    template_datadir(find_server_binary(backend.server_binary))
