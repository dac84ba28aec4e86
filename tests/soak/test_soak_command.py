"""``mysql-chaos soak`` against real servers: a seed replays its schedule and its verdict, a
planted failure shrinks to at most two faults, the safe strategy passes, bad input is one line.

naive-global is the planted failure: the seed's global connection never reconnects, so a fault
that breaks its connection leaves it failing through the recovery phase.
"""

from __future__ import annotations

import re
import subprocess

import pytest
from click.testing import CliRunner

from chaos.cli.main import cli
from chaos.errors import UsageError
from tests.cli.support import run_cli

# login-max-connections@0+1,mid-transaction-drop@1+1,deadlock@3+1,login-access-denied@6+1
SEED = "42"


def _schedule_lines(output: str) -> list[str]:
    """The printed schedule and its timeline, before any run."""
    lines = output.splitlines()
    end = next(i for i, line in enumerate(lines) if line.startswith("replay:"))
    return lines[: end + 1]


def _first_verdict(output: str) -> str:
    match = re.search(r"^  first  (\S+): (\S+) \(", output, re.M)
    assert match is not None, output
    return f"{match[1]}: {match[2]}"


def _violation_kinds(output: str, after: str) -> list[str]:
    tail = output[output.index(after) :]
    return sorted({m for m in re.findall(r"^  ([a-z-]+): ", tail, re.M)})


@pytest.fixture(scope="module")
def failing_soak() -> subprocess.CompletedProcess[str]:
    return run_cli("soak", "naive-global", "--seed", SEED, "--faults", "4")


def test_a_broken_strategy_fails_and_shrinks_to_at_most_two_faults(
    failing_soak: subprocess.CompletedProcess[str],
) -> None:
    assert failing_soak.returncode == 1, failing_soak.stdout + failing_soak.stderr
    shrunk = re.search(r"^shrunk in (\d+) runs? to (\d+) faults?:", failing_soak.stdout, re.M)
    assert shrunk is not None, failing_soak.stdout
    assert 1 <= int(shrunk[2]) <= 2
    assert "Traceback" not in failing_soak.stderr


def test_a_seed_replays_its_schedule_and_verdict_bit_for_bit(
    failing_soak: subprocess.CompletedProcess[str],
) -> None:
    replay = run_cli(
        "soak", "naive-global", "--seed", SEED, "--faults", "4", "--shrink-attempts", "0"
    )
    assert replay.returncode == 1, replay.stdout + replay.stderr
    assert _schedule_lines(replay.stdout) == _schedule_lines(failing_soak.stdout)
    assert _first_verdict(replay.stdout) == _first_verdict(failing_soak.stdout)
    assert f"replay: mysql-chaos soak naive-global --seed {SEED} --faults 4" in replay.stdout


def test_the_printed_smallest_schedule_replays_its_failure(
    failing_soak: subprocess.CompletedProcess[str],
) -> None:
    line = re.search(r"^replay the smallest: mysql-chaos (.+)$", failing_soak.stdout, re.M)
    assert line is not None, failing_soak.stdout
    args = line[1].split()
    replay = run_cli(*args)
    assert replay.returncode == 1, replay.stdout + replay.stderr
    verdict = re.search(r"^naive-global: (\S+) under this schedule", failing_soak.stdout, re.M)
    assert verdict is not None
    assert f"naive-global: {verdict[1]} under this schedule" in replay.stdout
    assert _violation_kinds(replay.stdout, "replay:") == _violation_kinds(
        failing_soak.stdout, "shrunk in"
    )


def test_the_safe_strategy_passes_a_short_soak() -> None:
    result = run_cli("soak", "safe", "--seed", "3", "--faults", "3")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "safe: every invariant held over 3 faults" in result.stdout


def test_a_fault_that_never_struck_is_no_pass_and_says_its_strikes_once() -> None:
    # naive-global never reconnects, so the login toxic meets no login.
    result = run_cli("soak", "naive-global", "--schedule", "login-max-connections@0+1")
    assert result.returncode != 0, result.stdout
    (line,) = [line for line in result.stdout.splitlines() if "never struck" in line]
    assert line.endswith("logins refused: struck 0 times"), line


def test_a_bad_seed_is_one_line_and_exit_2() -> None:
    result = run_cli("soak", "safe", "--seed", "banana")
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr == "mysql-chaos: seed must be a non-negative integer, got 'banana'\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--seed", "-3"], "seed must be a non-negative integer, got '-3'"),
        (["--fault", "no-such"], "unknown fault 'no-such'"),
        (["--schedule", "reset-peer@zero"], "is not FAULT@START+LENGTH"),
        (["--schedule", "reset-peer@0+1", "--seed", "1"], "exclude each other"),
        (["--schedule", "reset-peer@0+1", "--statement-chance", "0.1"], "exclude each other"),
        (["--fault", "failover-demotion"], "world of its own"),
        (["--kernel", "--fault", "kill-connection"], "--kernel and --fault exclude each other"),
        (["--kernel", "--schedule", "syn-refused@0+1"], "--schedule and --kernel exclude"),
        (["--kernel", "--statement-chance", "0.1"], "--kernel and --statement-chance exclude"),
        (["--schedule", "syn-refused@0+1,outage@1+1"], "syn-refused and outage cannot share"),
        (["--schedule", "syn-refused@0+1,chance:0.1:7@0+2"], "cannot share a world"),
        (["--fault", "syn-refused", "--fault", "outage", "--faults", "2"], "not both"),
    ],
)
def test_bad_input_is_a_usage_error_of_one_line(args: list[str], message: str) -> None:
    # In process: main() prints a UsageError as its one line and exits 2 (the test above).
    result = CliRunner().invoke(cli, ["soak", "safe", *args], standalone_mode=False)
    assert isinstance(result.exception, UsageError), result.output
    assert result.exception.exit_code == 2
    assert message in str(result.exception)
    assert "\n" not in str(result.exception)


def test_a_soak_says_what_each_fault_struck() -> None:
    result = run_cli("soak", "safe", "--schedule", "chance:0.3:5@0+6,kill-connection@2+1")
    assert result.returncode == 0, result.stdout + result.stderr
    line = re.search(r"^         what struck: (.+)$", result.stdout, re.M)
    assert line is not None, result.stdout
    killed = re.search(r"killed (\d+) client sessions", line[1])
    cuts = re.search(r"mysql_chance removed \(struck (\d+)\)", line[1])
    total = re.search(r"\((\d+) in all\)$", line[1])
    assert killed and cuts and total, line[1]
    assert int(cuts[1]) > 0 and int(killed[1]) > 0
    assert int(total[1]) == int(cuts[1]) + int(killed[1])


def test_the_replay_lines_keep_the_server_they_ran_on() -> None:
    from chaos.runner.environment import Backend

    assert Backend().command_args() == []
    assert Backend(server_binary="mysql").command_args() == ["--server", "mysql"]
    assert Backend(docker_image="local").command_args() == ["--server", "docker:local"]
    assert Backend(external_url="mysql://app:secret@db:3306/x").command_args() == [
        "--server-url",
        "mysql://app:***@db:3306/x",
    ]
