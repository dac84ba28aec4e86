"""The README's strategy example, as printed, for the tests that run it."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = "## Write your own strategy"
#: The file and factory the README names.
MODULE = "my_strategy"
SPEC = "my_strategy:PerThreadStrategy"


def readme_strategy() -> str:
    """The first ```python block of the section, byte for byte."""
    text = README.read_text()
    section = text[text.index(SECTION) :]
    match = re.search(r"^```python\n(.*?)^```$", section, re.DOTALL | re.MULTILINE)
    assert match is not None, f"no python block under {SECTION!r}"
    return match.group(1)


def write_readme_strategy(directory: Path) -> str:
    """Write the example as ``my_strategy.py`` into ``directory``; return its spec."""
    (directory / f"{MODULE}.py").write_text(readme_strategy())
    return SPEC
