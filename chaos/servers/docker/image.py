"""The server image, built once and cached: its tag is the hash of what went into it.

``server_image(client, base)`` builds ``Dockerfile`` in this directory on top of ``base``: an
official image where a registry is reachable; :data:`LOCAL_BASE`, a Debian bookworm root
filesystem made here with ``mmdebstrap`` from Debian's packages (MariaDB included) and imported
as an image; or :data:`LOCAL_MYSQL_BASE`, Oracle MySQL's root filesystem (Debian sid's
``mysql-server-core``, the one ``mysql-chaos server install mysql`` made for ``--server mysql``)
imported as it is. All are kept by tag; a second run finds them and builds nothing.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Any

from chaos.errors import CapabilityMissingError, ServerError
from chaos.owner import owned_prefix
from chaos.servers.docker.engine import import_docker
from chaos.servers.template import cache_root

log = logging.getLogger(__name__)

#: ``base`` meaning "the root filesystem built here from Debian's packages".
LOCAL_BASE = "local"
#: ``base`` meaning "the MySQL flavour's root filesystem" (:mod:`chaos.servers.rootfs`).
LOCAL_MYSQL_BASE = "local-mysql"
#: Label on cached images (not an owner: the cache outlives every run).
CACHE_LABEL = "io.mysql-chaos.cache"
#: Which base (``local`` or an image name) a cached server image was built on.
_BASE_LABEL = "io.mysql-chaos.base"
SERVER_REPOSITORY = "localhost/mysql-chaos-server"
BASE_REPOSITORY = "localhost/mysql-chaos-debian"
MYSQL_BASE_REPOSITORY = "localhost/mysql-chaos-mysql"
CONTEXT = Path(__file__).parent
_CONTEXT_FILES = ("Dockerfile", "server-setup.sh", "init.sql", "entrypoint.sh")
_SUITE = "bookworm"
_PACKAGES = "mariadb-server,mariadb-client"
_lock = threading.Lock()


def _digest(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()[:12]


def context_hash() -> str:
    """Changes whenever a file of the build context changes, so a stale image is never used."""
    return _digest(*((CONTEXT / name).read_bytes() for name in _CONTEXT_FILES))


def _mirror() -> str:
    return os.environ.get("MYSQL_CHAOS_DEBIAN_MIRROR", "http://deb.debian.org/debian")


def _has_image(client: Any, tag: str) -> bool:
    docker = import_docker()
    try:
        client.images.get(tag)
    except docker.errors.ImageNotFound:
        return False
    return True


def local_base_image(client: Any) -> str:
    """Debian bookworm with MariaDB from Debian's packages, imported from an mmdebstrap tar."""
    tag = f"{BASE_REPOSITORY}:{_SUITE}-{_digest(_SUITE, _PACKAGES, _mirror())}"
    if _has_image(client, tag):
        return tag
    mmdebstrap = shutil.which("mmdebstrap")
    if mmdebstrap is None or os.geteuid() != 0:
        raise CapabilityMissingError(
            "building the local base image needs root and mmdebstrap "
            "(scripts/container-engine.sh install), or pass an official base image"
        )
    workdir = Path(tempfile.mkdtemp(prefix=owned_prefix("docker")))
    try:
        rootfs = workdir / "root.tar"
        log.info("building %s from Debian's packages (about a minute)", tag)
        args = [mmdebstrap, "--quiet", "--variant=apt", f"--include={_PACKAGES}"]
        args += [f"--dpkgopt=path-exclude=/usr/share/{d}/*" for d in ("doc", "man", "locale")]
        args += [_SUITE, str(rootfs), f"deb {_mirror()} {_SUITE} main"]
        result = subprocess.run(args, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            tail = " | ".join(result.stderr.strip().splitlines()[-3:])
            raise ServerError(f"mmdebstrap failed: {tail}")
        _import(client, rootfs, tag)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return tag


def local_mysql_base_image(client: Any) -> str:
    """Oracle MySQL's root filesystem (the ``--server mysql`` flavour's), imported as an image.

    Nothing is downloaded here: the root filesystem is the one on this machine, made by
    ``mysql-chaos server install mysql``; without it, that command is the one line said.
    """
    # Imported here: the rootfs module is the MySQL flavour's, not every docker run's.
    from chaos.servers.rootfs import MARKER, mysql_binary, rootfs_dir

    root = rootfs_dir()
    try:
        binary = mysql_binary()
    except ServerError as e:
        raise CapabilityMissingError(str(e)) from e
    tag = f"{MYSQL_BASE_REPOSITORY}:{binary.version}-{_digest((root / MARKER).read_bytes())}"
    if _has_image(client, tag):
        return tag
    workdir = Path(tempfile.mkdtemp(prefix=owned_prefix("docker")))
    try:
        rootfs = workdir / "root.tar"
        log.info("importing %s from %s", tag, root)
        result = subprocess.run(
            [
                "tar",
                "--create",
                f"--file={rootfs}",
                f"--directory={root}",
                "--numeric-owner",
                f"--exclude=./{MARKER}",
                ".",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            tail = " | ".join(result.stderr.strip().splitlines()[-3:])
            raise ServerError(f"packing {root} failed: {tail}")
        _import(client, rootfs, tag)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return tag


def _import(client: Any, rootfs: Path, tag: str) -> None:
    """A root filesystem's tar as the base image ``tag``."""
    # Imported untagged, then tagged by the id it answered: engines differ in how they
    # apply an import's repository and tag (podman adds :latest too).
    answer = client.api.import_image_from_file(str(rootfs), changes=[f"LABEL {CACHE_LABEL}=base"])
    repository, version = tag.split(":")
    image_id = json.loads(answer.strip().splitlines()[-1]).get("id") or ""
    client.images.get(image_id.removeprefix("sha256:")).tag(repository, version)


def base_image(client: Any, base: str) -> str:
    """The image ``base`` names: one of the two made here, else ``base`` itself (pulled or
    found by the engine)."""
    if base == LOCAL_BASE:
        return local_base_image(client)
    if base == LOCAL_MYSQL_BASE:
        return local_mysql_base_image(client)
    return base


def _cache_lock_path() -> str:
    # Beside the datadir templates: the images are a machine-wide cache as they are.
    root = cache_root().parent
    root.mkdir(parents=True, exist_ok=True)
    return str(root / "image-build.lock")


def server_image(client: Any, base: str = LOCAL_BASE) -> str:
    """The tag of the server image on ``base``, built now if no run built it before."""
    with _lock, open(_cache_lock_path(), "a") as lock_file:
        # Another process may be building the same image: wait for it, then find its result.
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        # MySQL's base is this machine's root filesystem, which a reinstall replaces: its tag
        # (named after what is inside) is part of the server image's.
        base_ref = base_image(client, base) if base == LOCAL_MYSQL_BASE else None
        tag = f"{SERVER_REPOSITORY}:{_digest(context_hash(), base, *filter(None, [base_ref]))}"
        if _has_image(client, tag):
            return tag
        base_ref = base_ref or base_image(client, base)
        log.info("building %s on %s", tag, base_ref)
        docker = import_docker()
        try:
            client.images.build(
                path=str(CONTEXT),
                tag=tag,
                buildargs={"BASE": base_ref},
                labels={CACHE_LABEL: "server", _BASE_LABEL: base},
                network_mode="host",
                rm=True,
                forcerm=True,
                pull=False,
            )
        except (docker.errors.BuildError, docker.errors.APIError) as e:
            raise ServerError(f"building the server image on {base_ref} failed: {e}") from e
        _remove_superseded(client, tag)
        return tag


def _remove_superseded(client: Any, tag: str) -> None:
    """Server images of an older build context: the cache keeps one per base, not every past one.

    Removed by tag (an identical rebuild shares the image id, which then stays); an image a
    container still uses (another run, an older checkout) stays too: the engine refuses.
    """
    docker = import_docker()
    base = client.images.get(tag).labels.get(_BASE_LABEL)
    for image in client.images.list(filters={"label": f"{CACHE_LABEL}=server"}):
        if image.labels.get(_BASE_LABEL) != base:
            continue
        for old in image.tags:
            if old == tag or not old.startswith(f"{SERVER_REPOSITORY}:"):
                continue
            try:
                client.images.remove(old)
                log.info("removed superseded server image %s", old)
            except docker.errors.APIError as e:
                log.info("kept superseded server image %s: %s", old, e)
