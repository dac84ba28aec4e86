"""Oracle MySQL's root filesystem: Debian sid's ``mysql-server-core``, made once with mmdebstrap.

No MySQL 8 or 9 is packaged for the stable Debian the suite runs on, and sid's mysqld needs sid's
glibc, so it runs from a root filesystem of its own (see :meth:`ServerBinary.command
<chaos.servers.server_binary.ServerBinary.command>`): about 20 s and 360 MB, made once under the
suite's cache directory by ``mysql-chaos server install mysql``, then used read-only by every
server. It is made in a staging directory named after its maker and renamed into place, so a
half-made one is never used, and one left by a killed maker is removed by the next install.

The mirror is the machine's own: the first Debian archive in its apt sources (deb822
``/etc/apt/sources.list.d/*.sources`` or one-line ``sources.list`` entries), or
``$MYSQL_CHAOS_DEBIAN_MIRROR``.
"""

from __future__ import annotations

import fcntl
import glob
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from chaos.errors import ServerBinaryMissingError, ServerError, ServerFlavourMissingError
from chaos.owner import owner_alive, owner_tag
from chaos.servers.server_binary import ServerBinary
from chaos.servers.template import suite_cache_dir

log = logging.getLogger(__name__)

#: The flavour name users pick (``--server mysql``).
MYSQL_FLAVOUR = "mysql"
MIRROR_ENV = "MYSQL_CHAOS_DEBIAN_MIRROR"
SUITE = "sid"
PACKAGES = ("mysql-server-core",)
#: Written last into a finished root filesystem: what the server binary is and how to run it.
MARKER = ".mysql-chaos.json"
DEFAULT_KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
INSTALL_HINT = "run `mysql-chaos server install mysql` (or `./quickstart install-mysql`)"
_APT_DIR = Path("/etc/apt")
_BUILD_TIMEOUT = 1800


@dataclass(frozen=True)
class DebianSource:
    mirror: str
    keyring: str


def rootfs_dir() -> Path:
    return suite_cache_dir() / "rootfs" / f"mysql-{SUITE}"


def mysql_binary() -> ServerBinary:
    """The mysqld of the installed root filesystem; a clear error naming the install command
    when there is none."""
    root = rootfs_dir()
    try:
        marker = json.loads((root / MARKER).read_text())
    except FileNotFoundError:
        raise ServerFlavourMissingError(
            f"the MySQL server flavour is not installed (no root filesystem at {root}): "
            f"{INSTALL_HINT}"
        ) from None
    except (OSError, ValueError) as e:
        raise ServerBinaryMissingError(f"MySQL root filesystem {root} is unreadable: {e}") from e
    return ServerBinary(
        path=str(root / "usr/sbin/mysqld"),
        version=marker["version"],
        flavor="mysql",
        root=str(root),
        loader=marker["loader"],
        library_dir=marker["library_dir"],
    )


def install(rebuild: bool = False) -> ServerBinary:
    """Make the root filesystem unless it is there (``rebuild``: make a new one and swap it in).

    Safe against concurrent installs: one makes it, the others wait and use it.
    """
    root = rootfs_dir()
    if (root / MARKER).exists() and not rebuild:
        return mysql_binary()
    mmdebstrap = shutil.which("mmdebstrap")
    if mmdebstrap is None:
        raise ServerBinaryMissingError(
            "mmdebstrap is needed to make the MySQL root filesystem: apt-get install mmdebstrap"
        )
    source = debian_source()
    try:
        root.parent.mkdir(parents=True, exist_ok=True)
        with open(root.parent / f"{root.name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            _remove_dead_staging(root)
            if rebuild or not (root / MARKER).exists():
                _build(mmdebstrap, source, root)
    except OSError as e:
        raise ServerError(f"cannot make {root}: {e}") from e
    return mysql_binary()


def _build(mmdebstrap: str, source: DebianSource, root: Path) -> None:
    staging = Path(tempfile.mkdtemp(prefix=f"{root.name}.{owner_tag()}.", dir=root.parent))
    try:
        # Debian's public packages, read by the server's own account too (through an inherited
        # descriptor when the cache sits in a private home; see LocalServer._spawn).
        staging.chmod(0o755)
        log.info("making the MySQL root filesystem from %s %s", source.mirror, SUITE)
        command = [
            mmdebstrap,
            "--variant=essential",
            f"--include={','.join(PACKAGES)}",
            # sid's Release file carries a Valid-Until that a snapshot mirror outlives.
            '--aptopt=Acquire::Check-Valid-Until "false"',
            f"--keyring={source.keyring}",
            *(f"--dpkgopt=path-exclude=/usr/share/{d}/*" for d in ("doc", "man", "locale")),
            SUITE,
            str(staging),
            f"deb [signed-by={source.keyring}] {source.mirror} {SUITE} main",
        ]
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=_BUILD_TIMEOUT, check=False
        )
        if result.returncode != 0:
            tail = " | ".join((result.stderr or result.stdout).strip().splitlines()[-3:])
            raise ServerError(f"mmdebstrap failed ({source.mirror} {SUITE}): {tail}")
        marker = _describe(staging)
        (staging / MARKER).write_text(json.dumps(marker))
        if root.exists():  # a rebuild: move the old one aside first, the swap is one rename
            old = root.with_name(f"{root.name}.{owner_tag()}.old")
            root.rename(old)
            shutil.rmtree(old, ignore_errors=True)
        staging.rename(root)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _describe(root: Path) -> dict[str, str]:
    """The loader, library directory and version of the mysqld inside ``root``."""
    loaders = sorted(glob.glob(str(root / "usr/lib/*-linux-gnu*/ld-linux*.so.*")))
    if not loaders:
        raise ServerError(f"no dynamic loader in {root}/usr/lib")
    loader = Path(loaders[0])
    mysqld = root / "usr/sbin/mysqld"
    out = subprocess.run(
        [str(loader), "--library-path", str(loader.parent), str(mysqld), "--version"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    ).stdout
    match = re.search(r"Ver\s+(\S+)", out)
    if not match:
        raise ServerError(f"the mysqld in {root} printed no version: {out.strip()!r}")
    return {
        "version": match.group(1),
        "loader": str(loader.relative_to(root)),
        "library_dir": str(loader.parent.relative_to(root)),
    }


def _remove_dead_staging(root: Path) -> None:
    """Staging dirs of installs whose process was killed (called under the lock)."""
    pattern = re.compile(rf"^{re.escape(root.name)}\.(\d+)-(\d+)\.")
    for entry in root.parent.iterdir():
        match = pattern.match(entry.name)
        if match and not owner_alive(int(match.group(1)), int(match.group(2))):
            log.info("removing %s, left by a killed install", entry)
            shutil.rmtree(entry, ignore_errors=True)


# -- the machine's own Debian mirror --------------------------------------------------------------
def debian_source(apt_dir: Path = _APT_DIR) -> DebianSource:
    """``$MYSQL_CHAOS_DEBIAN_MIRROR``, else the first Debian archive of the apt sources."""
    explicit = os.environ.get(MIRROR_ENV, "").strip()
    if explicit:
        return DebianSource(explicit.rstrip("/"), _keyring(None))
    for uri, signed_by in _apt_sources(apt_dir):
        if uri.rstrip("/").endswith("/debian"):
            return DebianSource(uri.rstrip("/"), _keyring(signed_by))
    raise ServerError(
        f"no Debian archive (a URI ending in /debian) in the apt sources under {apt_dir}: "
        f"set {MIRROR_ENV} to a Debian mirror's URL"
    )


def _keyring(signed_by: str | None) -> str:
    for candidate in (signed_by, DEFAULT_KEYRING):
        if candidate and os.path.isfile(candidate):
            return candidate
    raise ServerError(
        f"no Debian archive keyring ({DEFAULT_KEYRING}): apt-get install debian-archive-keyring"
    )


def _apt_sources(apt_dir: Path) -> list[tuple[str, str | None]]:
    """``(uri, signed_by)`` of every enabled ``deb`` entry with the ``main`` component."""
    found: list[tuple[str, str | None]] = []
    for path in sorted((apt_dir / "sources.list.d").glob("*.sources")):
        found += _deb822_entries(_read(path))
    for path in [apt_dir / "sources.list", *sorted((apt_dir / "sources.list.d").glob("*.list"))]:
        found += _one_line_entries(_read(path))
    return found


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except OSError:
        return ""


def _deb822_entries(text: str) -> list[tuple[str, str | None]]:
    entries = []
    for paragraph in re.split(r"\n\s*\n", text):
        fields: dict[str, str] = {}
        name = None
        for line in paragraph.splitlines():
            if line.startswith("#") or not line.strip():
                continue
            if line[0].isspace() and name:  # a continuation line (an inline key, say)
                fields[name] += "\n" + line.strip()
                continue
            name, _, value = line.partition(":")
            name = name.strip().lower()
            fields[name] = value.strip()
        if (
            "deb" in fields.get("types", "").split()
            and "main" in fields.get("components", "").split()
            and fields.get("enabled", "yes").lower() != "no"
        ):
            signed_by = fields.get("signed-by")
            signed_by = signed_by if signed_by and "\n" not in signed_by else None
            entries += [(uri, signed_by) for uri in fields.get("uris", "").split()]
    return entries


def _one_line_entries(text: str) -> list[tuple[str, str | None]]:
    entries = []
    for line in text.splitlines():
        match = re.match(r"^\s*deb\s+(?:\[(?P<options>[^\]]*)\]\s+)?(?P<rest>.*)$", line)
        if not match:
            continue
        words = match.group("rest").split()
        if len(words) < 3 or "main" not in words[2:]:
            continue
        options = dict(
            option.split("=", 1)
            for option in (match.group("options") or "").split()
            if "=" in option
        )
        entries.append((words[0], options.get("signed-by")))
    return entries
