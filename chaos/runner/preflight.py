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
from chaos.verdicts.expectations import MYSQL

# Said of an external server only, so not one of the needs' own reasons.
NOT_IN_NAMESPACE = (
    "needs a server inside a network namespace the suite makes (not an external server)"
)
#: Said on the MySQL flavour: the replica is made with MariaDB's words (MASTER_USE_GTID,
#: MASTER_GTID_WAIT), which Oracle MySQL does not have.
REPLICA_MARIADB_ONLY = "needs MariaDB's GTID replication (MASTER_GTID_WAIT); skipped on MySQL"


def unmet_need(fault: type[Fault], backend: Backend, toxiproxy: Any) -> str | None:
    """Why ``fault`` cannot run with ``backend`` and ``toxiproxy``, or ``None`` when it can."""
    needs = fault.needs
    # A namespace fault acts on the server started inside it: on --server-url it would strike a
    # disposable server instead of the named one, and report on a server nobody asked about.
    if backend.external_url and Need.NETNS in needs:
        return NOT_IN_NAMESPACE
    if Need.NETNS in needs:
        reason = net_admin_missing_reason()
        if reason is not None:
            return reason
    if Need.PROXY in needs and toxiproxy is None:
        return Need.PROXY.reason
    if backend.external_url:
        if Need.PROCESS in needs:
            return Need.PROCESS.reason
        if Need.GLOBALS in needs and not backend.allow_global_changes:
            return Need.GLOBALS.reason
        if Need.STANDBY in needs:
            return Need.STANDBY.reason
    if Need.REPLICA in needs:
        if backend.external_url or backend.docker_image:
            return Need.REPLICA.reason
        if backend.flavour() == MYSQL:
            return REPLICA_MARIADB_ONLY
    return None


def require_local_servers(faults: list[type[Fault]], backend: Backend) -> None:
    """Find the server binary and make its template now, if any cell starts a local server.

    A missing binary or an unusable cache directory is the run's problem, not a cell's: it
    raises once, as one line, before any cell starts, instead of failing every cell alike.
    """
    if backend.docker_image or backend.external_url:
        return  # containers bring their own server; every cell runs on the external one
    template_datadir(find_server_binary(backend.server_binary))
