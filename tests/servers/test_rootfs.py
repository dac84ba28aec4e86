"""Making the MySQL root filesystem: the machine's own mirror, and nothing half-made left behind.

These need no network: the mirror is read from apt sources written here, and the build that is
run fails on purpose (a stand-in mmdebstrap that exits non-zero) to prove what a failed or killed
build leaves.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from chaos.errors import ServerBinaryMissingError, ServerError, ServerFlavourMissingError
from chaos.servers.binary import find_server_binary
from chaos.servers.rootfs import (
    DEFAULT_KEYRING,
    MIRROR_ENV,
    debian_source,
    install,
    mysql_binary,
    rootfs_dir,
)

CLI = str(Path(sys.executable).with_name("mysql-chaos"))


@pytest.fixture
def apt_dir(tmp_path, monkeypatch):
    monkeypatch.delenv(MIRROR_ENV, raising=False)
    (tmp_path / "sources.list.d").mkdir()
    return tmp_path


@pytest.fixture
def empty_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_the_mirror_is_the_first_debian_archive_of_the_deb822_sources(apt_dir, tmp_path):
    keyring = tmp_path / "archive.gpg"
    keyring.write_bytes(b"")
    (apt_dir / "sources.list.d" / "debian.sources").write_text(
        "Types: deb\n"
        "# URIs: http://commented.example/debian\n"
        "URIs: http://mirror.example/debian-security\n"
        "Suites: bookworm-security\nComponents: main\n\n"
        "Types: deb-src\nURIs: http://source.example/debian\nSuites: bookworm\n"
        "Components: main\n\n"
        "Types: deb\nURIs: http://mirror.example/debian/\nSuites: bookworm\n"
        f"Components: main contrib\nSigned-By: {keyring}\n"
    )
    source = debian_source(apt_dir)
    assert source.mirror == "http://mirror.example/debian"
    assert source.keyring == str(keyring)


def test_one_line_sources_count_too_and_a_disabled_entry_does_not(apt_dir):
    (apt_dir / "sources.list.d" / "off.sources").write_text(
        "Types: deb\nURIs: http://off.example/debian\nSuites: sid\nComponents: main\nEnabled: no\n"
    )
    (apt_dir / "sources.list").write_text(
        "# deb http://commented.example/debian bookworm main\n"
        "deb [arch=amd64 signed-by=/nonexistent.gpg] http://line.example/debian bookworm main\n"
    )
    source = debian_source(apt_dir)
    assert source.mirror == "http://line.example/debian"
    assert source.keyring == DEFAULT_KEYRING  # the named keyring does not exist


def test_no_debian_archive_is_a_clear_error_naming_what_to_set(apt_dir, monkeypatch):
    (apt_dir / "sources.list").write_text("deb http://archive.example/ubuntu noble main\n")
    with pytest.raises(ServerError, match=f"set {MIRROR_ENV} to a Debian mirror"):
        debian_source(apt_dir)
    monkeypatch.setenv(MIRROR_ENV, "http://chosen.example/debian/")
    assert debian_source(apt_dir).mirror == "http://chosen.example/debian"


def test_without_the_root_filesystem_the_flavour_names_the_install_command(empty_cache):
    with pytest.raises(ServerFlavourMissingError, match="mysql-chaos server install mysql"):
        find_server_binary("mysql")
    with pytest.raises(ServerFlavourMissingError):
        mysql_binary()


def test_a_gate_asked_for_mysql_without_it_exits_3_in_one_line(empty_cache):
    env = {**os.environ, "XDG_CACHE_HOME": str(empty_cache)}
    for command in (
        ["matrix", "--server", "mysql", "--strategy", "safe", "--fault", "kill-connection"],
        ["repro", "--server", "mysql", "--variant", "kill-connection"],
    ):
        result = subprocess.run(
            [CLI, *command], env=env, capture_output=True, text=True, timeout=120, check=False
        )
        assert result.returncode == 3, result.stderr
        assert result.stderr.strip().splitlines() == [
            f"mysql-chaos: the MySQL server flavour is not installed (no root filesystem at "
            f"{rootfs_dir()}): run `mysql-chaos server install mysql` "
            "(or `./quickstart install-mysql`)"
        ]


def test_a_failed_build_leaves_no_staging_directory_and_sweeps_a_killed_ones(
    empty_cache, tmp_path, monkeypatch
):
    parent = rootfs_dir().parent
    parent.mkdir(parents=True)
    killed = parent / f"mysql-sid.{os.getpid()}-1.abc"  # this PID, a start time it never had
    (killed / "usr").mkdir(parents=True)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "mmdebstrap"
    # Writes into its target (the argument before the last), then fails as without a network.
    fake.write_text(
        '#!/bin/sh\nfor a; do t=$p; p=$a; done\ntouch "$t/half"\necho E: no net >&2\nexit 1\n'
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    monkeypatch.setenv(MIRROR_ENV, "http://mirror.example/debian")
    with pytest.raises(ServerError, match=r"mmdebstrap failed .*E: no net"):
        install()
    assert [path.name for path in parent.iterdir()] == ["mysql-sid.lock"]


def test_without_mmdebstrap_the_install_says_what_to_install(empty_cache, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ServerBinaryMissingError, match="apt-get install mmdebstrap"):
        install()
