"""``mysql-chaos bench plugin``: the same cells through ``mysql-chaos matrix`` and through
``pytest --mysql-chaos-matrix``, side by side, as wall times and their ratio.

Each round runs both front ends one after the other, the order alternating between rounds, so
a change in the machine's load weighs on both alike. Each run is a child process started as a
user starts it: the CLI, and pytest in a scratch directory with an empty ``pytest.ini`` (so no
project's conftest or options join in). Both write their JSON report; the verdicts of every run
are compared, cell by cell, with the first CLI run's.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

CLI = "cli"
PYTEST = "pytest"


@dataclass(frozen=True)
class PluginBenchRun:
    front_end: str
    round: int
    seconds: float
    exit_code: int
    verdicts: dict[tuple[str, str], str]
    #: The last line the run wrote to stderr, when it exited with an error (not 0 or 1).
    error: str = ""


@dataclass
class PluginBenchReport:
    cells: int
    jobs: int
    workers: int
    rounds: int
    #: The 1-, 5- and 15-minute load averages before the first run and after the last.
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    runs: list[PluginBenchRun] = field(default_factory=list)

    def seconds(self, front_end: str) -> list[float]:
        return [run.seconds for run in self.runs if run.front_end == front_end]

    @property
    def ratio(self) -> float:
        """pytest's median wall time over the CLI's."""
        return statistics.median(self.seconds(PYTEST)) / statistics.median(self.seconds(CLI))

    def differing_verdicts(self) -> list[str]:
        """Each run's cells whose verdict differs from the first CLI run's, as text."""
        reference = self.runs[0].verdicts if self.runs else {}
        differences = []
        for run in self.runs:
            for key in sorted(set(reference) | set(run.verdicts)):
                if run.verdicts.get(key) != reference.get(key):
                    differences.append(
                        f"{run.front_end} round {run.round}: {key[0]} x {key[1]} "
                        f"{run.verdicts.get(key, 'missing')}, first cli run {reference.get(key)}"
                    )
        return differences


def _commands(
    selection: Sequence[str], jobs: int, workers: int, json_file: Path
) -> dict[str, list[str]]:
    cli = [sys.executable, "-c", "import sys; from chaos.cli.main import main; sys.exit(main())"]
    pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    pytest += ["--mysql-chaos-matrix", f"--mysql-chaos-jobs={jobs}"]
    if workers:
        pytest += ["-n", str(workers)]
    # The same selection: --strategy=NAME is --mysql-chaos-strategy=NAME to pytest.
    pytest += [f"--mysql-chaos-json={json_file}", *(f"--mysql-chaos-{a[2:]}" for a in selection)]
    cli += ["matrix", f"--jobs={jobs}", f"--json={json_file}", *selection]
    return {CLI: cli, PYTEST: pytest}


def _verdicts(path: Path) -> dict[tuple[str, str], str]:
    if not path.exists():
        return {}
    cells = json.loads(path.read_text())["cells"]
    return {(cell["strategy"], cell["fault"]): cell["verdict"] for cell in cells}


def run_plugin_benchmark(
    strategies: Sequence[str],
    faults: Sequence[str],
    *,
    cells: int,
    jobs: int,
    workers: int,
    rounds: int,
    progress: Callable[[str], None],
) -> PluginBenchReport:
    selection = [f"--strategy={name}" for name in strategies]
    selection += [f"--fault={name}" for name in faults]
    report = PluginBenchReport(cells, jobs, workers, rounds, load_before=os.getloadavg())
    with tempfile.TemporaryDirectory(prefix="mysql-chaos-bench-plugin-") as scratch:
        directory = Path(scratch)
        (directory / "pytest.ini").write_text("[pytest]\n")
        for round_number in range(1, rounds + 1):
            order = [CLI, PYTEST] if round_number % 2 else [PYTEST, CLI]
            for front_end in order:
                json_file = directory / f"{front_end}-{round_number}.json"
                command = _commands(selection, jobs, workers, json_file)[front_end]
                progress(f"round {round_number}/{rounds}: {front_end}")
                started = time.monotonic()
                finished = subprocess.run(
                    command, cwd=directory, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
                )
                seconds = time.monotonic() - started
                error = ""
                if finished.returncode not in (0, 1):
                    lines = finished.stderr.decode(errors="replace").strip().splitlines()
                    error = lines[-1] if lines else ""
                verdicts = _verdicts(json_file)
                report.runs.append(
                    PluginBenchRun(
                        front_end, round_number, seconds, finished.returncode, verdicts, error
                    )
                )
    report.load_after = os.getloadavg()
    return report


def render(report: PluginBenchReport) -> list[str]:
    xdist = f"-n {report.workers}" if report.workers else "no xdist"
    lines = [
        f"{report.cells} cells, {report.jobs} jobs, pytest {xdist}; {report.rounds} rounds, "
        f"the order alternating; {os.cpu_count()} CPUs, load average "
        f"{' '.join(f'{x:.2f}' for x in report.load_before)} before, "
        f"{' '.join(f'{x:.2f}' for x in report.load_after)} after",
        f"{'round':>5} {'cli s':>8} {'pytest s':>9} {'ratio':>6}  exit codes",
    ]
    by_round = {(run.front_end, run.round): run for run in report.runs}
    for round_number in range(1, report.rounds + 1):
        cli, pytest = by_round[(CLI, round_number)], by_round[(PYTEST, round_number)]
        lines.append(
            f"{round_number:>5} {cli.seconds:>8.1f} {pytest.seconds:>9.1f} "
            f"{pytest.seconds / cli.seconds:>6.2f}  cli {cli.exit_code}, pytest {pytest.exit_code}"
        )
        lines += [f"      {run.front_end}: {run.error}" for run in (cli, pytest) if run.error]
    lines.append(f"median wall time ratio pytest/cli: {report.ratio:.2f}")
    differences = report.differing_verdicts()
    if differences:
        lines.append(f"verdicts differ ({len(differences)}):")
        lines += [f"  {line}" for line in differences]
    else:
        lines.append(f"verdicts identical in every run ({len(report.runs[0].verdicts)} cells)")
    return lines
