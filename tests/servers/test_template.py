"""The template datadir: bootstrapped once, copied for every server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from chaos.errors import BadSettingError
from chaos.servers.binary import find_server_binary
from chaos.servers.template import copy_template, template_datadir


def test_template_is_complete_and_has_the_test_database():
    template = template_datadir(find_server_binary())
    assert (template / ".complete").is_file()
    assert (template / "test").is_dir()
    assert (template / "mysql").is_dir()


def test_template_is_reused_not_rebuilt():
    binary = find_server_binary()
    first = template_datadir(binary)
    marker = (first / ".complete").stat().st_mtime_ns
    assert template_datadir(binary) == first
    assert (first / ".complete").stat().st_mtime_ns == marker


def test_copy_has_every_file_at_its_size_and_sparse(tmp_path):
    template = template_datadir(find_server_binary())
    copy_template(template, tmp_path / "data")
    for source in template.rglob("*"):
        copied = tmp_path / "data" / source.relative_to(template)
        assert copied.exists(), copied
        if source.is_file():
            assert copied.stat().st_size == source.stat().st_size, copied
    ibdata = os.stat(tmp_path / "data" / "ibdata1")
    # The system tablespace is mostly zero pages: the copy holds far fewer blocks than its size.
    assert ibdata.st_blocks * 512 < ibdata.st_size / 2


CLI = str(Path(sys.executable).with_name("mysql-chaos"))


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("HOME", "/nonexistent", "/nonexistent"),
        ("XDG_CACHE_HOME", "/proc/x", "/proc/x"),
    ],
)
def test_an_unusable_cache_dir_is_one_line_and_a_failure_not_a_traceback(variable, value, named):
    env = {k: v for k, v in os.environ.items() if k != "XDG_CACHE_HOME"}
    env[variable] = value
    result = subprocess.run(
        [CLI, "matrix", "--fault", "kill-connection", "--strategy", "safe"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert named in lines[0] and "XDG_CACHE_HOME" in lines[0]


def test_an_unusable_cache_dir_raises_a_bad_setting_error_naming_it(monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", "/proc/x")
    with pytest.raises(BadSettingError, match=r"/proc/x/mysql-chaos/templates .*No such file"):
        template_datadir(find_server_binary())
