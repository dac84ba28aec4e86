"""Extra mysqld options for disposable servers, checked before any server starts.

A user may pass options of their own (``--max-connections=50 --sql-mode=ANSI``): the plugin's
``mysql_chaos_server_options`` ini option and the ``mysql_chaos(server_options=[...])`` marker.
Two things are checked, once, by asking the server binary itself (``--help --verbose`` prints
every setting as it would start with them, in about half a second, starting nothing):

- the server takes them: an unknown option or a bad value is one line naming it, instead of a
  server that fails to start in every test;
- they leave what keeps the server private as the suite set it. The server resolves names
  itself (``_`` or ``-``, ``--skip-``/``--enable-``/``--loose-`` forms, and unique prefixes:
  ``--skip-grant`` *is* ``--skip-grant-tables``), so the check compares the settings it prints
  with and without the options rather than the names given: one that changes where it
  listens, who may log in, where its files are or what it loads is refused.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Iterable

from chaos.errors import ChaosError, UsageError

#: Settings that keep the server reachable by its owner alone, or inside what the suite owns.
PROTECTED = frozenset(
    {
        "bind-address", "port", "socket", "datadir", "tmpdir", "basedir", "pid-file",
        "log-error", "secure-file-priv", "skip-grant-tables", "skip-name-resolve",
        "skip-networking", "extra-port", "proxy-protocol-networks", "init-file", "chroot",
        "plugin-dir", "plugin-maturity", "log-bin", "log-basename", "general-log-file",
        "slow-query-log-file", "relay-log", "character-sets-dir", "lc-messages-dir",
    }
)  # fmt: skip
#: Names that ``--help --verbose`` does not list, refused by name (and by any prefix of it).
UNLISTED = ("user", "plugin-load", "plugin-load-add", "defaults-file", "defaults-extra-file")
#: A setting that names a place on disk: the suite keeps every file in the server's workdir.
_PATH_SETTING = re.compile(r".*-(file|dir|directory|path|home-dir)$")
_OPTION = re.compile(r"--(?P<name>[A-Za-z][A-Za-z0-9_-]*)(=.*)?", re.DOTALL)
_LOOSE = re.compile(r"^(loose-)?(skip-|enable-|disable-|maximum-)?")
_TIMEOUT = 30.0


def check_server_options(binary: str, options: Iterable[str], where: str) -> tuple[str, ...]:
    """``options`` as given, once the server ``binary`` takes them and they leave every
    :data:`PROTECTED` setting alone; else a one-line :class:`UsageError` naming the option
    (``where`` says where it was given)."""
    options = tuple(options)
    for option in options:
        _check_shape(option, where)
    if not options:
        return options
    with tempfile.TemporaryDirectory(prefix="mysql-chaos-options-") as directory:
        # Two baselines that differ in every place and port: an option naming the very value
        # of one (--port=3306) still changes the other's.
        servers = [(binary, *_baseline(os.path.join(directory, part))) for part in "ab"]
        baselines = []
        for server in servers:
            settings = _settings(server, ())
            if settings is None:
                raise ChaosError(f"{binary} --help --verbose failed: {_refusal(server, ())}")
            baselines.append(settings)
        if _accepted(servers, baselines, options) == "":
            return options
        # Which one: asked one by one, only on this path.
        for option in options:
            touched = _accepted(servers, baselines, (option,))
            if touched is None:
                refusal = _refusal(servers[0], (option,))
                raise UsageError(f"{where}: the server refuses {option}: {refusal}")
            if touched:
                raise UsageError(
                    f"{where}: {option} refused: it changes {touched}, which keeps the server "
                    "private to its owner and its files in the suite's directory"
                )
    raise UsageError(f"{where}: the server refuses {' '.join(options)} together")


def _accepted(
    servers: list[tuple[str, ...]], baselines: list[dict[str, str]], options: tuple[str, ...]
) -> str | None:
    """None when the server refuses ``options``, else the protected setting they change ('')."""
    for server, baseline in zip(servers, baselines, strict=True):
        settings = _settings(server, options)
        if settings is None:
            return None
        touched = _touches(baseline, settings)
        if touched:
            return touched
    return ""


def _baseline(directory: str) -> tuple[str, ...]:
    """What the suite starts every server with that options could change, with places in
    ``directory`` (the check compares settings before and after, not these values)."""
    os.makedirs(directory, exist_ok=True)
    port = 3306 if directory.endswith("a") else 3307
    return (
        "--no-defaults",
        f"--datadir={directory}/data",
        f"--socket={directory}/mysqld.sock",
        f"--pid-file={directory}/mysqld.pid",
        f"--log-error={directory}/error.log",
        f"--port={port}",
        "--bind-address=127.0.0.1",
        f"--secure-file-priv={directory}",  # it must exist
        f"--tmpdir={directory}",
        "--skip-name-resolve",
        "--skip-log-bin",
    )


def _check_shape(option: str, where: str) -> None:
    match = _OPTION.fullmatch(option)
    if match is None:
        raise UsageError(f"{where}: {option!r} is not a --name or --name=value server option")
    name = match["name"].lower().replace("_", "-")
    bare = _LOOSE.sub("", name, count=1)
    for candidate in {name, bare}:
        for unlisted in UNLISTED:
            if unlisted.startswith(candidate):
                raise UsageError(f"{where}: {option} refused: the suite never passes --{unlisted}")
    if bare in ("help", "verbose", "version", "bootstrap", "no-defaults", "print-defaults"):
        raise UsageError(f"{where}: {option} is not a server setting")


def _touches(baseline: dict[str, str], settings: dict[str, str]) -> str:
    """The first protected setting whose value differs (a named one before a derived path),
    or ''."""
    changed = sorted(n for n in set(baseline) | set(settings) if baseline.get(n) != settings.get(n))
    named = [name for name in changed if name in PROTECTED]
    paths = [name for name in changed if _PATH_SETTING.fullmatch(name)]
    return (named or paths or [""])[0]


def _help(server: tuple[str, ...], options: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*server, *options, "--help", "--verbose"],
        capture_output=True,
        text=True,
        timeout=_TIMEOUT,
        stdin=subprocess.DEVNULL,
    )


def _settings(server: tuple[str, ...], options: tuple[str, ...]) -> dict[str, str] | None:
    """Every setting as the server would start with ``options``; None when it refuses them."""
    run = _help(server, options)
    if run.returncode != 0 or "\n-----" not in run.stdout:
        return None
    table = run.stdout.split("\n-----", 1)[1].split("\n", 1)[1]
    settings = {}
    for line in table.splitlines():
        name, _, value = line.partition(" ")
        if name:
            settings[name] = value.strip()
    return settings


def _refusal(server: tuple[str, ...], options: tuple[str, ...]) -> str:
    """The server's own words for why it refuses ``options``, in one line."""
    run = _help(server, options)
    errors = [line for line in (run.stderr + run.stdout).splitlines() if "[ERROR]" in line]
    if not errors:
        return "it prints no settings with it"
    # "2026-12-05  8:45:37 0 [ERROR] /usr/sbin/mariadbd: unknown variable 'x=1'"
    return errors[-1].split("[ERROR]", 1)[1].strip()
