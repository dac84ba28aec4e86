"""Capability detection: without CAP_NET_ADMIN, kernel faults say why in one line."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

WITHOUT_NET_ADMIN = ["--inh-caps=-net_admin", "--bounding-set=-net_admin"]

_CHILD = """
from chaos.errors import CapabilityMissingError
from chaos.netns import NetworkNamespace, net_admin_missing_reason
print(net_admin_missing_reason())
try:
    NetworkNamespace().start()
except CapabilityMissingError as e:
    print("refused:", e)
"""


@pytest.mark.skipif(shutil.which("setpriv") is None, reason="needs setpriv (util-linux)")
def test_a_process_without_net_admin_gets_the_reason_and_a_refusal():
    """Runs a child with CAP_NET_ADMIN dropped from its bounding set, as an unprivileged
    container would be; the test process itself keeps its capabilities."""
    result = subprocess.run(
        ["setpriv", *WITHOUT_NET_ADMIN, sys.executable, "-c", _CHILD],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    reason = "needs CAP_NET_ADMIN (run as root, or rootless inside a user namespace)"
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [reason, f"refused: {reason}"]
