"""``mysql-chaos repro`` as a user runs it: a real subprocess, real servers, real exit codes."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from leftovers import namespaces, processes_with

from chaos.cli.main import cli
from chaos.faults import FAULTS
from chaos.netns import net_admin_missing_reason
from chaos.netns.capability import tool
from chaos.repro import entries, names

MYSQL_CHAOS = str(Path(sys.executable).with_name("mysql-chaos"))
SEED_ERROR = (
    "OperationalError(2006, \"MySQL server has gone away (TimeoutError(110, 'Connection timed "
    "out'))\")"
)
#: Set in the CLI's environment; every process it starts inherits it, so leftovers are found
#: by it even while other suites on this machine run servers of their own.
MARKER = "MYSQL_CHAOS_TEST_RUN"


def _run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 120):
    return subprocess.run(
        [MYSQL_CHAOS, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        check=False,
    )


def _nft_tables() -> str:
    return subprocess.run(
        [tool("nft"), "list", "tables"], capture_output=True, text=True, check=False
    ).stdout


def _sections(stdout: str) -> dict[str, dict[str, str]]:
    """``== name`` blocks of ``field: value`` lines, in printed order."""
    sections: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    for line in stdout.splitlines():
        if line.startswith("== "):
            current = sections.setdefault(line[3:], {})
        elif current is not None and re.match(r"^   \w+:", line):
            field, value = line.strip().split(":", 1)
            current[field] = value.strip()
    return sections


def test_full_run_prints_every_fault_then_the_extras_and_leaves_nothing_behind():
    """The whole default run, as ``./quickstart repro`` does it. Its wall time is printed for
    a human to report; this test asserts only what it printed and that it cleaned up.

    Leftover servers are looked for by an environment marker they inherit rather than by name:
    the machine's own mariadbd and other suites' servers may be running at the same time.
    """
    token = uuid.uuid4().hex
    tables_before = _nft_tables()
    started = time.monotonic()
    process = subprocess.Popen(
        [MYSQL_CHAOS, "repro"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, MARKER: token},
    )
    try:
        stdout, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    print(f"mysql-chaos repro took {time.monotonic() - started:.1f} s")

    missing = net_admin_missing_reason()
    assert process.returncode == (0 if missing is None else 3), stdout + stderr
    assert "Traceback" not in stderr
    sections = _sections(stdout)
    assert list(sections) == names()
    assert names()[0] == "middlebox-drop"
    assert names()[: len(FAULTS)] == ["middlebox-drop"] + [
        n for n in FAULTS.names() if n != "middlebox-drop"
    ]
    events = {entry.name: entry.event for entry in entries()}
    # With CAP_NET_ADMIN everything runs; without it, only the kernel's reproductions skip.
    allowed = [{"exception"}] if missing is None else [{"exception"}, {"skipped"}]
    for name, fields in sections.items():
        assert set(fields) - {"event", "injected", "took"} in allowed, name
        assert fields["event"] == events[name]
        assert re.fullmatch(r"\d+\.\d\d s", fields["took"]), name
        if name in FAULTS and FAULTS.get(name).produces and "exception" in fields:
            assert fields["exception"] == FAULTS.get(name).produces, name
    if missing is not None:
        assert sections["middlebox-drop"]["skipped"] == missing
        assert re.search(r"^skipped: middlebox-drop, .*: exit 3$", stdout, re.MULTILINE)
    assert re.search(rf"^{len(names())} reproduction\(s\) in \d+\.\d s$", stdout, re.MULTILINE)

    assert processes_with(f"{MARKER}={token}") == []
    assert f"mchaos-{process.pid}-" not in namespaces()
    assert _nft_tables() == tables_before


def test_unknown_variant_exits_2_with_one_line_listing_the_valid_names():
    result = _run_cli("repro", "--variant", "nope")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"mysql-chaos: unknown repro variant 'nope'; valid names: {', '.join(names())}\n"
    )


def test_missing_named_server_binary_exits_2_with_one_line_and_no_traceback():
    result = _run_cli(
        "repro", "--variant", "kill-connection", env={"MYSQL_CHAOS_SERVER_BINARY": "/nonexistent"}
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        "mysql-chaos: server binary '/nonexistent' not found or not executable\n"
    )


def _without_net_admin(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["setpriv", "--inh-caps=-net_admin", "--bounding-set=-net_admin", MYSQL_CHAOS, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


NO_NET_ADMIN = "needs CAP_NET_ADMIN (run as root, or rootless inside a user namespace)"


@pytest.mark.skipif(shutil.which("setpriv") is None, reason="needs setpriv (util-linux)")
def test_kernel_fault_without_net_admin_is_skipped_with_the_reason_and_exits_3():
    result = _without_net_admin(
        "repro", "--variant", "middlebox-reset", "--variant", "kill-connection"
    )
    assert result.returncode == 3, result.stderr
    sections = _sections(result.stdout)
    assert sections["middlebox-reset"]["skipped"] == NO_NET_ADMIN
    assert "exception" in sections["kill-connection"]  # the run goes on after a skip
    assert result.stdout.endswith("skipped: middlebox-reset: exit 3\n")


@pytest.mark.skipif(shutil.which("setpriv") is None, reason="needs setpriv (util-linux)")
def test_allow_skip_exits_0_and_still_names_what_was_skipped():
    result = _without_net_admin("repro", "--variant", "middlebox-drop", "--allow-skip")
    assert result.returncode == 0, result.stderr
    assert _sections(result.stdout)["middlebox-drop"]["skipped"] == NO_NET_ADMIN
    assert result.stdout.endswith("skipped: middlebox-drop (allowed by --allow-skip)\n")


def test_an_exception_other_than_the_faults_produces_is_an_error_exit_4_and_the_run_goes_on(
    monkeypatch,
):
    # The fault really runs; only the promise it is held to is changed.
    monkeypatch.setattr(FAULTS.get("kill-connection"), "produces", "OperationalError(0, 'x')")
    result = CliRunner().invoke(
        cli, ["repro", "--variant", "kill-connection", "--variant", "server-down"]
    )
    assert result.exit_code == 4, result.output
    sections = _sections(result.output)
    assert sections["kill-connection"]["error"] == (
        "the fault's produces says OperationalError(0, 'x')"
    )
    assert "exception" in sections["server-down"]
    assert result.output.endswith("errored: kill-connection: exit 4\n")


def test_selected_variants_run_in_catalogue_order():
    result = CliRunner().invoke(
        cli, ["repro", "--variant", "server-down", "--variant", "kill-connection"]
    )
    assert result.exit_code == 0, result.output
    assert list(_sections(result.output)) == ["kill-connection", "server-down"]


def test_list_names_every_fault_then_every_extra_with_its_event():
    result = CliRunner().invoke(cli, ["repro", "--list"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert [line.split()[:2] for line in lines] == [[e.name, e.kind] for e in entries()]
    assert {line.split()[0] for line in lines} >= set(FAULTS.names())
    for line, entry in zip(lines, entries(), strict=True):
        assert line.endswith(entry.event)


def test_help_still_works():
    result = CliRunner().invoke(cli, ["repro", "--help"])
    assert result.exit_code == 0
    assert "--allow-skip" in result.output and "--list" in result.output
