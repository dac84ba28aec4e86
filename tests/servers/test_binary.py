"""Finding the server binary, and the clear error when there is none."""

from __future__ import annotations

import subprocess

import pytest

from chaos.errors import BadSettingError
from chaos.servers.binary import BINARY_ENV, find_server_binary
from chaos.servers.local import LocalServer


def test_finds_the_installed_server_and_its_version(monkeypatch):
    monkeypatch.delenv(BINARY_ENV, raising=False)
    binary = find_server_binary()
    printed = subprocess.run(
        [binary.path, "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert binary.version in printed.split()
    assert binary.flavor == ("mariadb" if "mariadb" in binary.version.lower() else "mysql")


def test_missing_binary_from_the_environment_raises_a_clear_error(monkeypatch):
    monkeypatch.setenv(BINARY_ENV, "/nonexistent")
    with pytest.raises(BadSettingError) as missing:
        find_server_binary()
    assert str(missing.value) == "server binary '/nonexistent' not found or not executable"


def test_local_server_with_a_missing_binary_raises_and_leaves_nothing(monkeypatch):
    monkeypatch.setenv(BINARY_ENV, "/nonexistent")
    server = LocalServer()
    with pytest.raises(BadSettingError, match="'/nonexistent' not found"):
        server.start()
    assert server.workdir is None
    assert server.process is None


def test_a_program_that_is_not_a_server_is_refused(monkeypatch):
    monkeypatch.setenv(BINARY_ENV, "true")
    with pytest.raises(BadSettingError, match="printed no version"):
        find_server_binary()
