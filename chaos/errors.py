"""One error hierarchy for the whole suite.

The CLI turns every ``ChaosError`` into one line on stderr and its ``exit_code``; anything else is a
bug and keeps its traceback. The codes are the gates' (README, "Exit codes"): 2 for bad input,
4 for every other error. 1 is never an error's: a gate gives it only when a verdict differs.
"""

from __future__ import annotations


class ChaosError(Exception):
    """Base of every error mysql-chaos raises on purpose: the machine, a server, a proxy or a
    fault failed (a port taken, no server binary, an extra not installed, ...)."""

    exit_code: int = 4


class UsageError(ChaosError):
    """Bad input from the user: an unknown name, an unimportable factory, a malformed option."""

    exit_code = 2


class BadSettingError(UsageError):
    """An option or environment variable names something unusable (``--binary``,
    ``MYSQL_CHAOS_SERVER_BINARY``, ``XDG_CACHE_HOME``): the user named it wrongly."""


class UnknownNameError(UsageError):
    """A name that is not in a registry; the message lists the valid names."""


class ServerError(ChaosError):
    """A database server could not be found, started, stopped or reached."""


class ServerBinaryMissingError(ServerError):
    """No mariadbd/mysqld on PATH (or where the user pointed)."""


class ServerFlavourMissingError(ServerBinaryMissingError):
    """The run asked for a server flavour not installed here (the MySQL root filesystem).

    Exit 3, as a skip: nothing was measured, and no gate may pass on it.
    """

    exit_code = 3


class PortInUseError(ChaosError):
    """A port the user asked for is already taken."""


class CapabilityMissingError(ChaosError):
    """This machine cannot run a fault (no CAP_NET_ADMIN, no nft, ...).

    Callers skip with the reason.
    """


class UntrustedPathError(ChaosError):
    """A directory or file another user made or could write (or a symlink): refused, not used."""


class StrategyExitError(ChaosError):
    """A user's strategy raised ``SystemExit`` (``sys.exit()``) in a cell: that cell's error."""


class ToxiproxyError(ChaosError):
    """A Toxiproxy server (embedded or real) answered an error or could not be reached."""


class FaultError(ChaosError):
    """A fault could not be injected or healed."""


class NetworkNamespaceError(FaultError):
    """An ``ip`` or ``nft`` command failed mid-run, or a namespace was used before it started.

    Never a skip: only the pre-flight check (:func:`chaos.netns.require_net_admin`) says the
    machine cannot run kernel faults; a rule that fails once the run is going is an error.
    """


def error_summary(error: BaseException) -> str:
    """One line reporting ``error``: a ChaosError's message alone (it was written to be read
    that way), any other error's type and message."""
    if isinstance(error, ChaosError):
        return " ".join(str(error).split()) or type(error).__name__
    return one_line(error)


def one_line(error: BaseException) -> str:
    """``Type: message`` on one line (whitespace folded), for messages that quote an error."""
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
