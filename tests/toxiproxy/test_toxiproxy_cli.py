"""``mysql-chaos toxiproxy-server`` and ``bench``: help, and one clear line on bad input."""

from __future__ import annotations

import json
import re
import selectors
import signal
import socket
import subprocess
import sys
import time

import pytest
import requests
from click.testing import CliRunner

from chaos.cli.bench import bench
from chaos.toxiproxy.command import toxiproxy_server

CLI = [sys.executable, "-c", "from chaos.cli.main import main; main()"]


def run_cli(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
    )


def assert_one_clear_line(result: subprocess.CompletedProcess[str], pattern: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert re.search(pattern, lines[0]), lines[0]


@pytest.mark.parametrize(
    ("command", "args"),
    [(toxiproxy_server, []), (bench, []), (bench, ["proxy"])],
    ids=["toxiproxy-server", "bench", "bench-proxy"],
)
def test_every_command_has_help(command, args):
    result = CliRunner().invoke(command, [*args, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_toxiproxy_server_on_a_taken_port_is_one_line_and_exit_4():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = run_cli("toxiproxy-server", "--port", str(taken.getsockname()[1]))
    assert_one_clear_line(result, r"^mysql-chaos: .*already in use")
    assert result.returncode == 4


def test_toxiproxy_server_with_a_missing_config_is_one_line_and_exit_2(tmp_path):
    result = run_cli("toxiproxy-server", "--port", "0", "--config", str(tmp_path / "none.json"))
    assert_one_clear_line(result, r"^mysql-chaos: cannot read Toxiproxy config")
    assert result.returncode == 2


def test_toxiproxy_server_with_a_malformed_config_is_one_line(tmp_path):
    config = tmp_path / "bad.json"
    config.write_text('[{"name": "x"}]')
    result = run_cli("toxiproxy-server", "--port", "0", "--config", str(config))
    assert_one_clear_line(result, r"missing required field: upstream at proxy 1")


def test_toxiproxy_server_serves_the_proxies_of_its_config_until_sigterm(tmp_path):
    config = tmp_path / "proxies.json"
    proxies = [{"name": "db", "listen": "127.0.0.1:0", "upstream": "127.0.0.1:9"}]
    config.write_text(json.dumps(proxies))
    process = subprocess.Popen(
        [*CLI, "toxiproxy-server", "--port", "0", "--config", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    try:
        assert process.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            assert selector.select(20), "no ready line"
        line = process.stdout.readline().decode()
        url = re.search(r"listening on (http://\S+)", line).group(1)
        listed = requests.get(f"{url}/proxies", timeout=5).json()
        assert listed["db"]["enabled"] is True
        process.send_signal(signal.SIGTERM)
        assert process.wait(10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stdout.close()
        process.stderr.close()


def test_bench_proxy_with_a_bad_url_is_one_line_and_exit_2():
    result = run_cli("bench", "proxy", "--mysql-url", "postgres://nope")
    assert_one_clear_line(result, r"^mysql-chaos: not a MySQL URL")
    assert result.returncode == 2


def test_bench_proxy_without_a_server_is_one_line():
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        started = time.monotonic()
        result = run_cli("bench", "proxy", "--mysql-url", f"mysql://root@127.0.0.1:{port}/test")
    assert_one_clear_line(result, r"^mysql-chaos: cannot reach MySQL")
    assert time.monotonic() - started < 20
