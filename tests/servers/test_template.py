"""The template datadir: bootstrapped once, copied for every server."""

from __future__ import annotations

import os

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
