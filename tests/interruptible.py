"""Child processes that Ctrl-C reaches, however the test run itself was started.

A shell starts a background job with SIGINT ignored, and children inherit that: a suite run as
``pytest &`` would see its Ctrl-C tests fail. These children get SIGINT's default back, as a
program run from a terminal has it.
"""

from __future__ import annotations

import signal
import subprocess
from typing import Any


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def popen_interruptible(args: list[str], **kwargs: Any) -> subprocess.Popen[str]:
    return subprocess.Popen(args, preexec_fn=_default_sigint, text=True, **kwargs)
