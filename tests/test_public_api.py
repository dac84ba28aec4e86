"""``from chaos import ...`` gives the public API, and ``chaos`` never imports the clients."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import chaos

CHAOS_DIR = Path(chaos.__file__).parent
CLIENT_PACKAGES = ("mysql_chaos_apps", "apps")


@pytest.mark.parametrize("name", chaos.__all__)
def test_every_public_name_is_the_object_its_module_defines(name: str) -> None:
    module = importlib.import_module(chaos._PUBLIC[name])
    assert getattr(chaos, name) is getattr(module, name)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'NoSuchThing'"):
        chaos.NoSuchThing  # noqa: B018


def test_importing_chaos_and_every_public_name_loads_no_client_module() -> None:
    code = (
        "import sys, chaos\n"
        "[getattr(chaos, name) for name in chaos.__all__]\n"
        f"print(' '.join(m for m in sys.modules if m.split('.')[0] in {CLIENT_PACKAGES!r}))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert run.stdout.strip() == ""


def _imported_modules(source: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_chaos_module_imports_or_names_the_client_package() -> None:
    offenders = []
    for source in sorted(CHAOS_DIR.rglob("*.py")):
        imported = {name.split(".")[0] for name in _imported_modules(source)}
        if imported & set(CLIENT_PACKAGES) or "mysql_chaos_apps" in source.read_text():
            offenders.append(str(source.relative_to(CHAOS_DIR.parent)))
    assert offenders == []
