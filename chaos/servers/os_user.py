"""The OS account a disposable server runs as: never root.

Started as root, mariadbd would run as root too (``--user=root``): then anyone who reaches its
root account can make it read or write any file on the machine. So a root owner drops to Debian's
``mysql`` account (or ``nobody`` where there is none) in the child, before exec. It does so itself
rather than through ``mariadbd --user``: the kernel clears the parent-death signal whenever the
effective uid changes, so the signal must be armed *after* the switch (see
:func:`chaos.lifecycle.spawn`), which only a switch before exec allows.

A non-root owner needs none of this: the server runs as the owner.
"""

from __future__ import annotations

import os
import pwd
from dataclasses import dataclass
from pathlib import Path

from chaos.errors import ServerError

#: Tried in order when started as root.
CANDIDATE_USERS = ("mysql", "nobody")


@dataclass(frozen=True)
class ServerUser:
    name: str
    uid: int
    gid: int

    def switch_to(self) -> None:
        """Become this user for good (in a child before exec): groups first, uid last."""
        os.setgroups([])
        os.setgid(self.gid)
        os.setuid(self.uid)

    def own(self, root: Path) -> None:
        """Give ``root`` and everything below it to this user (a copy made as root)."""
        os.lchown(root, self.uid, self.gid)
        for directory, subdirs, files in os.walk(root):
            for name in (*subdirs, *files):
                os.lchown(os.path.join(directory, name), self.uid, self.gid)


def server_user() -> ServerUser | None:
    """The account to run the server as, or ``None`` when not root (it runs as the caller)."""
    if os.geteuid() != 0:
        return None
    for name in CANDIDATE_USERS:
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            continue
        return ServerUser(name=entry.pw_name, uid=entry.pw_uid, gid=entry.pw_gid)
    raise ServerError(
        f"running as root, and none of the accounts {', '.join(CANDIDATE_USERS)} exists to run "
        "the server as: create one (Debian's mariadb-server package makes 'mysql')"
    )
