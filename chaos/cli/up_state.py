"""Where ``mysql-chaos up`` records itself, and how ``down`` proves a process is that ``up``.

Several ``up``s may run side by side, each under its own name (``up --name NAME``, default
``default``): each has its own record, ``up-NAME.json``, and ``down NAME`` stops only its own.

Another local user must not be able to make ``down`` signal a process, nor pass a record off as
``up``'s. Three things hold that together:

1. **The directory is private.** ``$XDG_RUNTIME_DIR/mysql-chaos``, else ``mysql-chaos-<uid>`` in
   the temp dir, created 0700. It is opened with ``O_NOFOLLOW`` and checked on the open
   descriptor: a real directory, owned by us, writable by nobody else. Anything else (a
   directory another user made first, a symlink, mode 0777) is refused in one line (exit 4),
   never used; every later step goes through that descriptor, so the directory cannot be
   swapped between the check and the use.
2. **The file is ours.** ``up-NAME.json`` is created with ``O_EXCL | O_NOFOLLOW``, mode 0600,
   and read with ``O_NOFOLLOW``; a file that is not a regular file of ours, writable by us
   alone, is refused like the directory.
3. **The process proves it is that ``up``.** ``up`` keeps the record file open for as long as it
   runs. ``down`` opens a pidfd for the recorded pid, then checks through /proc that the
   process runs as our user, has the recorded start time, and holds open the very file
   (device and inode) ``down`` read. Only a process that opened the file, which sits in a
   directory only we can enter, can pass that. A record whose process is gone or was started
   at another time (a crashed ``up``, its pid reused) is stale and removed; a live process
   that started then but does not prove itself is refused in one line (exit 4), its record
   removed, nothing signalled. The signal goes through the pidfd, so the process checked is
   the one signalled even if the pid is reused in between.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import select
import signal
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from chaos.errors import ChaosError, UntrustedPathError, UsageError

#: The name of an ``up`` started without ``--name``, and the one ``down`` stops without one.
DEFAULT_NAME = "default"
#: A short word: it becomes part of a file name, and the user types it.
_NAME = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?")
_RECORD = re.compile(r"up-(?P<name>.+)\.json")


def record_name(name: str) -> str:
    """The record file of the ``up`` called ``name``; a malformed name is a UsageError."""
    if not _NAME.fullmatch(name):
        raise UsageError(
            f"bad up name {name!r}: use 1 to 32 of a-z, 0-9 and '-', not starting or ending "
            "with '-'"
        )
    return f"up-{name}.json"


def runtime_dir() -> Path:
    """Where ``up`` records itself: ``$XDG_RUNTIME_DIR/mysql-chaos`` or one in the temp dir."""
    base = os.environ.get("XDG_RUNTIME_DIR")
    if base and os.path.isdir(base):
        return Path(base) / "mysql-chaos"
    return Path(tempfile.gettempdir()) / f"mysql-chaos-{os.getuid()}"


def start_time(pid: int) -> str | None:
    """The process's start time in clock ticks (field 22 of /proc/PID/stat), None if gone.

    A zombie counts as gone: it has exited, only its parent has not reaped it yet.
    """
    try:
        with open(f"/proc/{pid}/stat") as stat_file:
            fields = stat_file.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    if len(fields) < 20 or fields[0] == "Z":
        return None
    return fields[19]


@contextlib.contextmanager
def private_directory(create: bool) -> Iterator[int | None]:
    """A descriptor of the checked runtime directory (None when it is absent and not created)."""
    path = runtime_dir()
    if create:
        with contextlib.suppress(FileExistsError):
            os.mkdir(path, 0o700)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        if create:
            raise
        yield None
        return
    except OSError as e:  # ELOOP: a symlink; ENOTDIR: a file planted in its place
        raise UntrustedPathError(f"refusing {path}: not a directory of ours ({e.strerror})") from e
    try:
        _check_ours(path, os.fstat(fd), "directory")
        yield fd
    finally:
        os.close(fd)


def _check_ours(path: Path, info: os.stat_result, kind: str) -> None:
    wanted = stat.S_ISDIR if kind == "directory" else stat.S_ISREG
    if not wanted(info.st_mode):
        raise UntrustedPathError(f"refusing {path}: not a {kind}")
    if info.st_uid != os.geteuid():
        raise UntrustedPathError(
            f"refusing {path}: owned by uid {info.st_uid}, not by uid {os.geteuid()}"
        )
    if info.st_mode & 0o022:
        raise UntrustedPathError(
            f"refusing {path}: writable by group or others (mode {stat.S_IMODE(info.st_mode):o})"
        )


@dataclass(frozen=True)
class UpRecord:
    pid: int
    start_time: str
    #: Device and inode of the record file, which the running ``up`` holds open.
    file_id: tuple[int, int]


def write_record(record: dict[str, object], name: str = DEFAULT_NAME) -> int:
    """Create the record (``up`` must keep the returned descriptor open while it runs)."""
    directory = runtime_dir()
    file_name = record_name(name)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    for attempt in range(3):
        try:
            with private_directory(create=True) as dir_fd:
                fd = os.open(file_name, flags, 0o600, dir_fd=dir_fd)
            break
        except FileExistsError as e:
            raise ChaosError(f"{directory / file_name} appeared meanwhile: another up?") from e
        except FileNotFoundError as e:
            # Another up removed the empty directory with its own record between our mkdir
            # and our file: make it again.
            if attempt == 2:
                raise ChaosError(
                    f"cannot record mysql-chaos up in {directory}: {e.strerror}"
                ) from e
        except OSError as e:
            raise ChaosError(f"cannot record mysql-chaos up in {directory}: {e.strerror}") from e
    os.write(fd, json.dumps(record).encode())
    return fd


def remove_record(fd: int, name: str = DEFAULT_NAME) -> None:
    """Remove the record this process wrote (``fd``) and close it."""
    file_name = record_name(name)
    try:
        with private_directory(create=False) as dir_fd:
            if dir_fd is not None and _same_file(file_name, dir_fd, fd):
                os.unlink(file_name, dir_fd=dir_fd)
        _remove_if_empty()
    finally:
        os.close(fd)


def _remove_if_empty() -> None:
    """The runtime directory goes with its last record: nothing of a stopped ``up`` stays."""
    with contextlib.suppress(OSError):  # another up's record is in it, or it is gone already
        os.rmdir(runtime_dir())


def _same_file(name: str, dir_fd: int, fd: int) -> bool:
    try:
        there = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (there.st_dev, there.st_ino) == (mine.st_dev, mine.st_ino)


def running_up(name: str = DEFAULT_NAME) -> UpRecord | None:
    """The running ``up`` called ``name``, as its record names it and the process proves; a
    stale record is removed. An untrusted directory or file, or a live process that does not
    prove itself, raises :class:`UntrustedPathError` (that record is removed too)."""
    file_name = record_name(name)
    path = runtime_dir() / file_name
    with private_directory(create=False) as dir_fd:
        if dir_fd is None:
            return None
        flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
        try:
            fd = os.open(file_name, flags, dir_fd=dir_fd)
        except FileNotFoundError:
            return None
        except OSError as e:
            raise UntrustedPathError(f"refusing {path}: {e.strerror}") from e
        try:
            info = os.fstat(fd)
            _check_ours(path, info, "file")
            record = _parse(os.read(fd, 65536), (info.st_dev, info.st_ino))
        finally:
            os.close(fd)
        if record is not None and proves_itself(record):
            return record
        with contextlib.suppress(FileNotFoundError):
            os.unlink(file_name, dir_fd=dir_fd)
        if record is None or start_time(record.pid) != record.start_time:
            _remove_if_empty()
            return None  # malformed, or its process is gone: a crashed up's leftover
        raise UntrustedPathError(
            f"refusing {path}: pid {record.pid} is not the mysql-chaos up that wrote it "
            "(record removed, nothing signalled)"
        )


def running_names() -> list[str]:
    """The names of the ``up``s running now (each proven as :func:`running_up` proves it)."""
    with private_directory(create=False) as dir_fd:
        entries = [] if dir_fd is None else os.listdir(dir_fd)
    names = []
    for entry in sorted(entries):
        match = _RECORD.fullmatch(entry)
        if match and _NAME.fullmatch(match["name"]) and running_up(match["name"]) is not None:
            names.append(match["name"])
    if not names:
        _remove_if_empty()  # also one an older release left empty
    return names


def _parse(data: bytes, file_id: tuple[int, int]) -> UpRecord | None:
    try:
        fields = json.loads(data)
        return UpRecord(int(fields["pid"]), str(fields["start_time"]), file_id)
    except (ValueError, KeyError, TypeError):
        return None


def proves_itself(record: UpRecord) -> bool:
    """Whether ``record.pid`` is our user's process, started when recorded, holding the file."""
    pid = record.pid
    if pid <= 0 or start_time(pid) != record.start_time or not _runs_as_us(pid):
        return False
    try:
        descriptors = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for name in descriptors:
        try:
            info = os.stat(f"/proc/{pid}/fd/{name}")
        except OSError:
            continue  # closed meanwhile
        if (info.st_dev, info.st_ino) == record.file_id:
            return True
    return False


def _runs_as_us(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("Uid:"):
                    real, effective = line.split()[1:3]
                    return int(real) == int(effective) == os.geteuid()
    except OSError:
        pass
    return False


def stop_up(record: UpRecord, timeout: float) -> bool:
    """SIGTERM the recorded ``up`` once it proves itself, and wait up to ``timeout`` for it to
    exit. False when it has gone (or stopped holding its record: it is stopping) by the time
    its pidfd is open; a signal that cannot be sent is one line (ChaosError, exit 4)."""
    try:
        pidfd = os.pidfd_open(record.pid)
    except ProcessLookupError:
        return False
    except OSError as e:
        raise ChaosError(f"cannot reach mysql-chaos up (pid {record.pid}): {e.strerror}") from e
    try:
        # Checked again on the pidfd's process: the pid may have been reused since it was read.
        if not proves_itself(record):
            return False
        try:
            signal.pidfd_send_signal(pidfd, signal.SIGTERM)
        except ProcessLookupError:
            return False
        except OSError as e:
            raise ChaosError(
                f"cannot signal mysql-chaos up (pid {record.pid}): {e.strerror}"
            ) from e
        # A pidfd becomes readable when its process exits.
        readable, _, _ = select.select([pidfd], [], [], timeout)
        if not readable:
            raise ChaosError(f"mysql-chaos up (pid {record.pid}) did not stop in {timeout:.0f} s")
        return True
    finally:
        os.close(pidfd)
