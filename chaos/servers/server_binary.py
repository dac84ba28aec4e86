"""A server program as the suite runs it: where it is, which flavour and version, and the argv
that starts it (through a root filesystem's own loader where it lives in one).

A value only, below both the search for a binary (:mod:`chaos.servers.binary`) and the root
filesystems that hold one (:mod:`chaos.servers.rootfs`), so neither imports the other back.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class ServerBinary:
    path: str
    version: str  # e.g. "10.11.19-MariaDB-0+deb12u1"
    flavor: str  # "mariadb" or "mysql"
    #: The root filesystem the binary lives in (see :mod:`chaos.servers.rootfs`); ``None``: the
    #: host's own. ``loader`` and ``library_dir`` are relative to it.
    root: str | None = None
    loader: str = ""
    library_dir: str = ""

    def command(self, root: str | None = None) -> list[str]:
        """The argv that runs the server without option files, up to its own options.

        A binary from a root filesystem needs that filesystem's glibc: it runs through the root
        filesystem's own loader and libraries, and finds its messages, character sets and
        plugins there. ``root`` names the same directory by another path (a descriptor under
        /proc/self/fd, for a server account that cannot reach the cache directory itself).
        """
        if self.root is None:
            return [self.path, "--no-defaults"]
        top = root or self.root
        return [
            f"{top}/{self.loader}",
            "--library-path",
            f"{top}/{self.library_dir}",
            f"{top}/{os.path.relpath(self.path, self.root)}",
            "--no-defaults",  # mysqld reads it only as its first option
            f"--basedir={top}/usr",
            f"--lc-messages-dir={top}/usr/share/mysql",
            f"--character-sets-dir={top}/usr/share/mysql/charsets",
            f"--plugin-dir={top}/usr/lib/mysql/plugin",
        ]
