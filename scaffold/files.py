"""Writing a file so that readers see the old content or the new, never half of either."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

__all__ = [
    "NotReplaced",
    "open_regular",
    "process_alive",
    "read_regular",
    "read_stated",
    "replace_contents",
    "temp_beside",
    "write_atomically",
]


# What `write_atomically` writes: bytes, or parts written in turn (never joined in memory:
# the check's cache is tens of megabytes on a large tree).
Data = bytes | tuple[bytes | memoryview, ...]


def write_atomically(path: Path, data: Data, mode: int | None = None) -> None:
    """Write `data` (bytes, or parts in order) to a temp file beside `path` and rename it
    over `path`, with the permission bits `mode` (None: what the umask gives a new file).

    The temp file's name no other process can pick (pid and random bytes, opened with
    O_EXCL); it is removed if anything fails. Not `tempfile`: importing it (random,
    shutil, ...) costs more than a `scaffold check` that rewrites its cache. For a file
    the user owns and may be editing, use `replace_contents`.

    A device, or a FIFO something reads (`-o /dev/null`, `-o >(cmd)`), is written into,
    not replaced: a rename over `/dev/null` run as root leaves a regular file there, and
    every program that writes to /dev/null then fills it (git reads it as its config and
    fails). A FIFO nobody reads is replaced, as any stale file: writing would block.
    """
    if _written_into_special(path, data):
        return

    def set_mode(handle: int) -> None:
        if mode is not None and mode != 0o600:
            os.fchmod(handle, mode)

    # No `mode`: what the umask gives a new file, as any tool's cache (ruff's, mypy's) has;
    # 600 kept a cache shared between users (a CI runner's, a container's) from the others.
    _replace_through_temp(path, data, set_mode, create_mode=0o666 if mode is None else 0o600)


def _replace_through_temp(
    target: Path,
    data: Data,
    finish: Callable[[int], None],
    last_check: Callable[[], None] | None = None,
    *,
    create_mode: int = 0o600,
) -> None:
    """Write `data` to a fresh temp file beside `target` (made with `create_mode`, less the
    umask), let `finish` set its metadata on
    the open handle, run `last_check` (which may raise to cancel), and rename the temp file
    over `target`. The temp file is removed if anything fails or is interrupted."""
    _remove_stale_temps(target)
    temp = _temp_name(target)
    try:
        # Inside the try: a Ctrl-C just after the open must not leave the file behind.
        handle = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, create_mode)
        with os.fdopen(handle, "wb") as stream:
            _write(stream, data)
            finish(stream.fileno())
        if last_check is not None:
            last_check()
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def temp_beside(path: Path) -> tuple[int, Path]:
    """A fresh temp file beside `path`, open for writing, as `write_atomically` makes one (the
    umask's permissions; removed by a later write there once its writer is gone), for a
    file written in steps and then renamed over `path` by the caller. Raises OSError."""
    _remove_stale_temps(path)
    temp = _temp_name(path)
    return os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), temp


def _write(stream: BinaryIO, data: Data) -> None:
    for part in (data,) if isinstance(data, bytes) else data:
        stream.write(part)


def _written_into_special(path: Path, data: Data) -> bool:
    """Write `data` into a device or a read FIFO at `path`; False when `path` is neither."""
    try:
        kind = os.stat(path).st_mode
    except OSError:
        return False
    if stat.S_ISCHR(kind) or stat.S_ISBLK(kind):
        flags = os.O_WRONLY
    elif stat.S_ISFIFO(kind):
        flags = os.O_WRONLY | os.O_NONBLOCK  # fails at once (ENXIO) when nobody reads
    else:
        return False
    try:
        handle = os.open(path, flags | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            return False
        raise
    os.set_blocking(handle, True)
    with os.fdopen(handle, "wb") as stream:
        _write(stream, data)
    return True


class NotReplaced(Exception):
    """`replace_contents` left the file as it was; the message says why, for a note."""


def replace_contents(path: Path, data: bytes, *, expected: bytes) -> None:
    """Give the user's file at `path` the content `data`, atomically, as the same file.

    A symlink is written through (its target changes, the link stays); the new content
    keeps the file's mode, owner and group. Refused (NotReplaced) when the content is no
    longer `expected` (someone edited it since it was read: their edit wins), when the
    file has other hard links (a rename would split them), is read-only to this user, or
    when its owner or group cannot be kept. OSError (a full filesystem, a file gone) passes
    through.
    """
    real = Path(os.path.realpath(path))
    info = os.stat(real)
    if not stat.S_ISREG(info.st_mode):
        raise NotReplaced(f"{path} is not a regular file")
    if info.st_nlink > 1:
        raise NotReplaced(
            f"{path} has {info.st_nlink} hard links, which rewriting it would split;"
            " apply the fix by hand"
        )
    if not os.access(real, os.W_OK) and not os.statvfs(real).f_flag & os.ST_RDONLY:
        # A rename would replace it all the same; its mode says it is not to be written
        # (a file checked out read-only until `p4 edit`, say), as an editor would say. On
        # a read-only mount the write itself says so.
        raise NotReplaced(f"{path} is read-only; make it writable to fix it")

    def unchanged_since_read() -> None:
        # As late as possible: an editor's save since the read must not be overwritten.
        if _current(real, info) != expected:
            raise NotReplaced(f"{path} changed while it was being fixed; it was left as it is")

    _replace_through_temp(
        real, data, lambda handle: _keep_identity(handle, info, path), unchanged_since_read
    )


def _keep_identity(handle: int, info: os.stat_result, shown: Path) -> None:
    os.fchmod(handle, stat.S_IMODE(info.st_mode))
    if (info.st_uid, info.st_gid) == (os.fstat(handle).st_uid, os.fstat(handle).st_gid):
        return
    try:
        os.fchown(handle, info.st_uid, info.st_gid)
    except PermissionError as exc:
        raise NotReplaced(
            f"{shown} belongs to another user or group, which a rewrite by this user would"
            " change; apply the fix as its owner"
        ) from exc


def _current(real: Path, info: os.stat_result) -> bytes | None:
    """The file's bytes now, or None when it is no longer the file that was read."""
    try:
        # O_NONBLOCK: a FIFO put in the file's place must not hang the run.
        with os.fdopen(os.open(real, os.O_RDONLY | os.O_NONBLOCK), "rb") as stream:
            now = os.fstat(stream.fileno())
            if (now.st_dev, now.st_ino) != (info.st_dev, info.st_ino):
                return None
            return stream.read()
    except OSError:
        return None


def _temp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}-{os.urandom(6).hex()}.tmp")


def _remove_stale_temps(path: Path) -> None:
    """Remove the temp files killed writers left in `path`'s folder (their pid is gone):
    `path`'s own and the other files' (a `--fix` killed there may not have to write that
    file again, so only the next write in the same folder finds them)."""
    try:
        with os.scandir(path.parent) as entries:
            names = [e.name for e in entries if e.name.startswith(".") and e.name.endswith(".tmp")]
    except OSError:
        return
    for name in names:
        pid = _temp_writer(name)
        if pid is not None and not process_alive(pid):
            with contextlib.suppress(OSError):
                os.unlink(path.parent / name)


def _temp_writer(name: str) -> int | None:
    """The pid in a name `_temp_name` makes (.NAME.PID-RANDOM.tmp), None for other names."""
    head, _, tail = name.removesuffix(".tmp").rpartition(".")
    pid, dash, random = tail.partition("-")
    is_random = len(random) == 12 and all(c in "0123456789abcdef" for c in random)
    if len(head) < 2 or not (pid.isascii() and pid.isdigit() and dash and is_random):
        return None
    return int(pid)


def process_alive(pid: int) -> bool:
    """Whether process `pid` exists (this one counts; another user's too)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists and belongs to someone else
    return True


def open_regular(path: str | os.PathLike[str]) -> BinaryIO:
    """The regular file at `path`, open for reading; OSError for anything else.

    Opened without blocking and checked on the open file: a FIFO would hang `open()`, a
    link to `/dev/zero` would fill memory, and either can be put in a file's place at any
    moment, so a check before opening proves nothing.
    """
    return os.fdopen(_open_regular(path)[0], "rb")


def _open_regular(path: str | os.PathLike[str]) -> tuple[int, os.stat_result]:
    handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    info = os.fstat(handle)
    if not stat.S_ISREG(info.st_mode):
        os.close(handle)
        raise OSError(errno.EINVAL, "not a regular file", os.fspath(path))
    return handle, info


def read_regular(path: str | os.PathLike[str], limit: int | None = None) -> bytes:
    """The bytes of the regular file at `path` (see `open_regular`); OSError for anything
    else, or for a file of more than `limit` bytes."""
    return read_stated(path, limit)[0]


def read_stated(
    path: str | os.PathLike[str], limit: int | None = None
) -> tuple[bytes, os.stat_result]:
    """`read_regular`, with the open file's stat taken before it was read: a change after
    it changes the stat (the cache keys what it read on that stat)."""
    handle, info = _open_regular(path)
    with os.fdopen(handle, "rb") as stream:
        data = stream.read() if limit is None else stream.read(limit + 1)
    if limit is not None and len(data) > limit:
        raise OSError(errno.EFBIG, f"larger than {limit} bytes", os.fspath(path))
    return data, info
