"""The README's pytest example, run exactly as printed: pasted into a file, run with pytest."""

from __future__ import annotations

import re
from pathlib import Path

from chaos.netns import net_admin_missing_reason

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = "## Your own client in your own pytest suite"


def readme_example() -> str:
    """The first ```python block of the section, byte for byte."""
    text = README.read_text()
    section = text[text.index(SECTION) :]
    match = re.search(r"^```python\n(.*?)^```$", section, re.DOTALL | re.MULTILINE)
    assert match is not None, f"no python block under {SECTION!r}"
    return match.group(1)


def test_the_example_is_complete_and_at_most_25_lines():
    example = readme_example()
    assert len(example.splitlines()) <= 25
    compile(example, "test_store.py", "exec")  # a whole module, nothing left out
    assert "def test_" in example and "mysql_chaos_fault" in example


def test_the_readme_example_passes_as_printed(pytester):
    (pytester.path / "test_store.py").write_text(readme_example())
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-rs")
    if net_admin_missing_reason() is None:
        result.assert_outcomes(passed=4)
    else:  # middlebox-drop needs CAP_NET_ADMIN: it skips, saying so
        result.assert_outcomes(passed=3, skipped=1)
        result.stdout.fnmatch_lines(["*middlebox-drop: needs CAP_NET_ADMIN*"])
    assert result.ret == 0
