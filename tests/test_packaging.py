"""The wheel installs ``chaos`` and ``mysql_chaos_apps``, and no top-level ``apps``."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def _package_directories() -> set[str]:
    """Every directory under chaos/ and apps/ holding Python modules, as the wheel names it."""
    found = set()
    for top, installed_as in (("chaos", "chaos"), ("apps", "mysql_chaos_apps")):
        for source in (ROOT / top).rglob("*.py"):
            parts = source.parent.relative_to(ROOT / top).parts
            found.add(".".join((installed_as, *parts)))
    return found


def test_pyproject_lists_every_package_directory() -> None:
    assert set(PYPROJECT["tool"]["setuptools"]["packages"]) == _package_directories()


def test_the_wheel_installs_no_generic_top_level_package(tmp_path: Path) -> None:
    # Built from a copy, so the checkout gets no build/ or egg-info.
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for name in ("chaos", "apps"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(
        [
            *(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation"),
            *("--no-index", "-w", str(tmp_path / "dist"), str(source)),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = (tmp_path / "dist").glob("mysql_chaos-*.whl")
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as archive:
        top_level = {name.split("/")[0] for name in archive.namelist()}
        data = {name for name in archive.namelist() if name.endswith(".toml")}
        archive.extractall(site)
    assert {name for name in top_level if not name.endswith(".dist-info")} == {
        "chaos",
        "mysql_chaos_apps",
    }
    # The expected verdicts ship beside the strategies they describe.
    assert data == {
        "mysql_chaos_apps/expected_verdicts.toml",
        "mysql_chaos_apps/app_expected_verdicts.toml",
        "mysql_chaos_apps/expected_verdicts.mysql.toml",
        "mysql_chaos_apps/app_expected_verdicts.mysql.toml",
    }

    # The installed copy alone (no checkout on the path): chaos loads no client, and the
    # bundled strategies and their expected verdicts are found through the wheel's entry points.
    code = (
        "import sys, chaos\n"
        "[getattr(chaos, name) for name in chaos.__all__]\n"
        "assert not [m for m in sys.modules if m.startswith(('apps', 'mysql_chaos_apps'))]\n"
        "names = chaos.strategies().names()\n"
        "from chaos.strategy.expectations import expected_verdicts, recording_file\n"
        "assert {s for s, _ in expected_verdicts()} == set(names)\n"
        "assert recording_file().is_relative_to(sys.path[0]), recording_file()\n"
        "import mysql_chaos_apps\n"
        "print(len(names), chaos.__file__, mysql_chaos_apps.__file__)"
    )
    dependencies = [p for p in sys.path if p.endswith("site-packages")]
    run = subprocess.run(
        [
            sys.executable,
            "-S",
            "-c",
            f"import sys; sys.path[:0] = {[str(site), *dependencies]!r}\n" + code,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    count, chaos_file, apps_file = run.stdout.split()
    # 12 on PyMySQL; naive-global and safe on mysqlclient, connector-pure and connector-c;
    # sqlalchemy-pre-ping on mysqlclient and connector-c; read-split and read-split-gtid; 3 on
    # asyncio
    assert count == "25"
    assert chaos_file.startswith(str(site)) and apps_file.startswith(str(site))
