"""compose/: the compose file passes docker-compose's own schema check (offline: no image is
pulled here, no registry is reachable), and its parts agree with each other."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from engine_install import install_engine_or_skip

pytestmark = pytest.mark.docker

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "compose"


@pytest.fixture(scope="module")
def compose_tool() -> str:
    if shutil.which("docker-compose") is None:
        install_engine_or_skip("docker-compose is not installed")
    tool = shutil.which("docker-compose")
    assert tool is not None, "scripts/container-engine.sh install did not install docker-compose"
    return tool


def _config(tool: str, compose_file: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [tool, "-f", str(compose_file), "config"], capture_output=True, text=True, check=False
    )


def test_compose_file_is_valid_and_names_the_real_images(compose_tool):
    result = _config(compose_tool, COMPOSE / "docker-compose.yml")
    assert result.returncode == 0, result.stderr
    for image in ("mysql:8.4", "mariadb:11", "ghcr.io/shopify/toxiproxy:2.12.0"):
        assert f"image: {image}" in result.stdout
    # The runner shares the proxy's network namespace: the proxies it makes on 127.0.0.1.
    assert "network_mode: service:toxiproxy" in result.stdout
    assert "TOXIPROXY_URL: http://127.0.0.1:8474" in result.stdout
    assert "mysql_chaos_apps.flask_app:build_from_env()" in result.stdout


def test_a_broken_compose_file_is_rejected(compose_tool, tmp_path):
    broken = tmp_path / "docker-compose.yml"
    text = (COMPOSE / "docker-compose.yml").read_text()
    broken.write_text(text.replace("    healthcheck:", "    healthcheck_typo:", 1))
    (tmp_path / "toxiproxy.json").write_text("[]")
    result = _config(compose_tool, broken)
    assert result.returncode != 0
    assert "healthcheck_typo" in result.stderr


def test_toxiproxy_config_points_at_compose_services():
    proxies = json.loads((COMPOSE / "toxiproxy.json").read_text())
    upstreams = {proxy["upstream"] for proxy in proxies}
    assert upstreams == {"mysql84:3306", "mariadb11:3306"}
    listens = {proxy["listen"].rsplit(":", 1)[1] for proxy in proxies}
    text = (COMPOSE / "docker-compose.yml").read_text()
    assert any(f"toxiproxy:{port}/" in text for port in listens)


def test_ci_example_is_valid_yaml_with_both_services(compose_tool):
    # docker-compose brings PyYAML (Debian's python3-yaml); the suite itself does not need it.
    python = Path(compose_tool).read_text().splitlines()[0].removeprefix("#!").strip()
    check = (
        "import sys, yaml; job = yaml.safe_load(open(sys.argv[1]))['jobs']['matrix']; "
        "print(sorted(job['services']))"
    )
    result = subprocess.run(
        [python, "-c", check, str(COMPOSE / "github-actions.yml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['mariadb11', 'mysql84']"
