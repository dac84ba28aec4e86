"""Running the installed ``mysql-chaos`` console script as a user would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

CLI = str(Path(sys.executable).with_name("mysql-chaos"))


def run_cli(*args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CLI, *args], capture_output=True, text=True, timeout=180, check=False, **kwargs
    )
